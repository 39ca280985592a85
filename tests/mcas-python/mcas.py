#!/usr/bin/env python3
"""A second MCAS participant, standard library only, written from docs/mcas.md and docs/ring.md alone.

usage:
  mcas.py transfer <servers> <prefix> <accounts> <seconds> <seed> [loops]
  mcas.py tokens   <servers> <prefix> <slots> <tokens> <seconds> <seed> [loops]
  mcas.py check-transfer <servers> <prefix> <accounts> <total>
  mcas.py check-tokens   <servers> <prefix> <slots> <tokens>
Prints DONE moves=/commits= ..., VIOLATION ... or CORRUPTION ... lines like the C# worker.
"""
import math, os, random, socket, struct, sys, threading, time, uuid

RESERVED = 0x80000000
DESCRIPTOR_TTL = 3600
LINGER = 60


class Corruption(Exception): pass
class Conflict(Exception): pass
class OutcomeUnknown(Exception): pass


# ---- ring (docs/ring.md: ketama, one-at-a-time, bytes >= 0x80 sign-extended) ----
def oaat(data: bytes) -> int:
    h = 0
    for b in data:
        if b >= 0x80:
            b -= 256
        h = (h + b) & 0xFFFFFFFF
        h = (h + (h << 10)) & 0xFFFFFFFF
        h ^= h >> 6
    h = (h + (h << 3)) & 0xFFFFFFFF
    h ^= h >> 11
    return (h + (h << 15)) & 0xFFFFFFFF


class Ring:
    def __init__(self, servers):
        self.servers = servers  # list of "host:port"
        points = []
        for index, server in enumerate(servers):
            host, port = server.rsplit(":", 1)
            name = host if port == "11211" else server
            for n in range(100):
                points.append((oaat(f"{name}-{n}".encode()), index))
        points.sort()
        self.points = points

    def locate(self, key: str) -> int:
        h = oaat(key.encode())
        lo, hi = 0, len(self.points)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.points[mid][0] < h:
                lo = mid + 1
            else:
                hi = mid
        return self.points[lo % len(self.points)][1]


# ---- MessagePack, just what the records use ----
def pack(v) -> bytes:
    if v is None: return b"\xc0"
    if v is True: return b"\xc3"
    if v is False: return b"\xc2"
    if isinstance(v, int):
        if 0 <= v < 128: return bytes([v])
        if -32 <= v < 0: return struct.pack("b", v)
        if v >= 0:
            for code, fmt, limit in ((0xcc, ">B", 1 << 8), (0xcd, ">H", 1 << 16), (0xce, ">I", 1 << 32), (0xcf, ">Q", 1 << 64)):
                if v < limit: return bytes([code]) + struct.pack(fmt, v)
        return b"\xd3" + struct.pack(">q", v)
    if isinstance(v, str):
        b = v.encode()
        if len(b) < 32: return bytes([0xa0 | len(b)]) + b
        if len(b) < 256: return b"\xd9" + bytes([len(b)]) + b
        return b"\xda" + struct.pack(">H", len(b)) + b
    if isinstance(v, (bytes, bytearray)):
        if len(v) < 256: return b"\xc4" + bytes([len(v)]) + bytes(v)
        return b"\xc5" + struct.pack(">H", len(v)) + bytes(v) if len(v) < 65536 else b"\xc6" + struct.pack(">I", len(v)) + bytes(v)
    if isinstance(v, (list, tuple)):
        head = bytes([0x90 | len(v)]) if len(v) < 16 else b"\xdc" + struct.pack(">H", len(v))
        return head + b"".join(pack(x) for x in v)
    raise TypeError(type(v))


def unpack(data: bytes):
    value, end = _unpack(data, 0)
    if end != len(data): raise ValueError("trailing bytes")
    return value


def _unpack(d, i):
    c = d[i]; i += 1
    if c < 0x80: return c, i
    if c >= 0xe0: return c - 256, i
    if 0xa0 <= c <= 0xbf: n = c & 31; return d[i:i + n].decode(), i + n
    if 0x90 <= c <= 0x9f: return _array(d, i, c & 15)
    if c == 0xc0: return None, i
    if c == 0xc2: return False, i
    if c == 0xc3: return True, i
    ints = {0xcc: ">B", 0xcd: ">H", 0xce: ">I", 0xcf: ">Q", 0xd0: ">b", 0xd1: ">h", 0xd2: ">i", 0xd3: ">q"}
    if c in ints:
        size = struct.calcsize(ints[c]); return struct.unpack(ints[c], d[i:i + size])[0], i + size
    lens = {0xd9: (">B", str), 0xda: (">H", str), 0xdb: (">I", str), 0xc4: (">B", bytes), 0xc5: (">H", bytes), 0xc6: (">I", bytes)}
    if c in lens:
        fmt, kind = lens[c]; size = struct.calcsize(fmt); n = struct.unpack(fmt, d[i:i + size])[0]; i += size
        raw = bytes(d[i:i + n]); return (raw.decode() if kind is str else raw), i + n
    if c == 0xdc: return _array(d, i + 2, struct.unpack(">H", d[i:i + 2])[0])
    if c == 0xdd: return _array(d, i + 4, struct.unpack(">I", d[i:i + 4])[0])
    raise ValueError(f"msgpack type 0x{c:02x} not used by MCAS records")


def _array(d, i, n):
    out = []
    for _ in range(n):
        v, i = _unpack(d, i); out.append(v)
    return out, i


def decode_record(flags, value):
    """('mcas.ref', descKey, overAbsent), ('mcas.desc', record list) or None for user data (section 3)."""
    if not flags & RESERVED or not value or not (0x90 <= value[0] <= 0x9f or value[0] in (0xdc, 0xdd)):
        return None
    try:
        record = unpack(value)
    except (ValueError, IndexError, UnicodeDecodeError, struct.error):
        return None
    if not record or not isinstance(record[0], str) or record[0] not in ("mcas.ref", "mcas.desc"):
        return None
    if len(record) < 2 or record[1] != 3:
        raise RuntimeError(f"{record[0]} version {record[1:2]} is not implemented")
    return record


# ---- meta protocol ----
class Conn:
    def __init__(self, server):
        host, port = server.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk: raise ConnectionError("server closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode()

    def block(self, n):
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(65536)
            if not chunk: raise ConnectionError("server closed")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def request(self, line, data=None):
        self.sock.sendall(line.encode() + b"\r\n" + (data + b"\r\n" if data is not None else b""))
        reply = self.line()
        parts = reply.split(" ")
        value = self.block(int(parts[1])) if parts[0] == "VA" else None
        tags = {p[0]: p[1:] for p in parts[2 if parts[0] == "VA" else 1:] if p}
        return parts[0], tags, value


class Item:
    def __init__(self, value, flags, cas, ttl):
        self.value, self.flags, self.cas = value, flags, cas
        self.expires = 0 if ttl == -1 else int(time.time()) + max(ttl, 1)


class Client:
    def __init__(self, servers):
        self.ring = Ring(servers.split(","))
        self.servers = servers.split(",")
        self.conns = {}

    def conn(self, key):
        index = self.ring.locate(key)
        if index not in self.conns:
            self.conns[index] = Conn(self.servers[index])
        return self.conns[index]

    def get(self, key, ttl=True):
        status, tags, value = self.conn(key).request(f"mg {key} v f c" + (" t" if ttl else ""))
        if status == "EN": return None
        if status != "VA": raise RuntimeError(f"mg {key}: {status}")
        return Item(value, int(tags["f"]), int(tags["c"]), int(tags.get("t", "-1")))

    def store(self, key, value, flags, ttl, cas=None):
        """cas None → ME (add). Returns the new token or None."""
        mode = "ME" if cas is None else f"C{cas}"
        status, tags, _ = self.conn(key).request(f"ms {key} {len(value)} c F{flags} T{ttl} {mode}", value)
        return int(tags["c"]) if status == "HD" else None

    def delete(self, key, cas=None):
        status, _, _ = self.conn(key).request(f"md {key}" + ("" if cas is None else f" C{cas}"))
        return status == "HD"

    def touch(self, key, ttl):
        self.conn(key).request(f"mg {key} T{ttl}")


def ttl_of(expires):
    """Section 5: absolute Unix seconds (0 = never) → the T argument."""
    if expires == 0: return 0
    now = int(time.time())
    left = max(expires - now, 1)
    return left if left <= 2592000 else now + left


class Entry:
    def __init__(self, key, item):
        self.key, self.exists = key, item is not None
        self.value = item.value if item else None
        self.flags = item.flags if item else 0
        self.cas = item.cas if item else 0
        self.expires = item.expires if item else 0


# ---- MCAS (section 4) ----
class Mcas:
    def __init__(self, client, prefix="memstore:"):
        self.c, self.prefix = client, prefix

    def mcas_get(self, key):
        seen = None
        for _ in range(64):
            item = self.c.get(key)
            record = decode_record(item.flags, item.value) if item else None
            if record is None or record[0] != "mcas.ref":
                return Entry(key, item)
            if self.resolve(key, item.cas, record, seen, chain=()) is None:
                seen = (record[2], item.cas)
        raise Conflict(key)

    def resolve(self, key, token, marker, seen, chain):
        """4.1 step 2 for a marker (token) in key. Returns None when it only waited (descriptor missing),
        False when the marker's operation is undecided and already in chain (a cycle: 4.3), else True."""
        desc_key, over_absent = marker[2], marker[3]
        d = self.load(desc_key)
        if d is not None:
            if d["status"] == 0 and desc_key in chain:
                return False
            self.help(d, mine={key: token}, owner=False, chain=chain)
            return True
        if over_absent:
            self.c.delete(key, token)
            return True
        if seen == (desc_key, token):
            raise Corruption(f"{key}: descriptor {desc_key} missing behind marker {token}")
        time.sleep(0.02)
        return None

    def load(self, desc_key):
        item = self.c.get(desc_key, ttl=False)
        if item is None: return None
        record = decode_record(item.flags, item.value)
        if record is None or record[0] != "mcas.desc":
            raise RuntimeError(f"{desc_key} is not a descriptor")
        return {"key": desc_key, "id": record[2], "status": record[3], "items": record[4], "cas": item.cas}

    def commit(self, updates):
        """updates: list of (entry, new_value or None for delete). True on success, False on conflict."""
        if len(updates) == 1:
            return self.commit_one(*updates[0])
        now = int(time.time())
        items = []
        for entry, new in sorted(updates, key=lambda u: u[0].key.encode()):
            new_expires = entry.expires  # keep
            items.append([entry.key, entry.cas if entry.exists else 0, entry.value, entry.flags, entry.expires,
                          new, 0, new_expires if new is not None else 0, 0])
        ident = uuid.uuid4().hex
        desc_key = f"{self.prefix}mcas:{ident}"
        record = ["mcas.desc", 3, ident, 0, items]
        token = self.c.store(desc_key, pack(record), RESERVED, DESCRIPTOR_TTL)
        if token is None: raise RuntimeError("descriptor add failed")
        status = self.help({"key": desc_key, "id": ident, "status": 0, "items": items, "cas": token}, mine={}, owner=True, chain=())
        self.c.delete(desc_key)
        return status == 1

    def commit_one(self, entry, new):
        if new is None and not entry.exists:
            return not self.mcas_get(entry.key).exists
        if new is None:
            return self.c.delete(entry.key, entry.cas)
        return self.c.store(entry.key, new, 0, ttl_of(entry.expires), entry.cas if entry.exists else None) is not None

    def help(self, d, mine, owner, chain):
        items = d["items"]
        index = {it[0]: i for i, it in enumerate(items)}
        mine = {index[k]: v for k, v in mine.items() if k in index}
        chain = chain + (d["key"],)
        if len(chain) > 64: raise RuntimeError("helping nested too deep")
        status = d["status"]
        if status == 0:
            outcome = 1 if self.acquire_all(d, mine, chain) else 2
            decided = [mine.get(i, 0) for i in range(len(items))]
            result = self.decide(d, outcome, decided, mine, owner)
            if result is None:
                return None
            status, recorded = result
        else:
            recorded = [it[8] for it in items]
        self.phase2(d["key"], items, status, recorded, mine)
        if not owner:
            self.c.touch(d["key"], LINGER)
        return status

    def acquire_all(self, d, mine, chain):
        """Phase 1 (4.3): attempt every item not yet acquired (here one after the other), settle every reply, and
        only then report; True when all are acquired. Only keys expected absent are attempted again."""
        items, seen = d["items"], {}
        for _ in range(64):
            pending = [i for i in range(len(items)) if not mine.get(i)]
            if not pending:
                return True
            failed, held = False, []
            for i in pending:
                key, expected = items[i][0], items[i][1]
                it = items[i]
                ttl = 0 if it[4] == 0 or it[7] == 0 else ttl_of(max(it[4], it[7]))
                marker = pack(["mcas.ref", 3, d["key"], expected == 0])
                token = self.c.store(key, marker, RESERVED, ttl, None if expected == 0 else expected)
                if token is not None:
                    mine[i] = token
                    continue
                item = self.c.get(key)
                record = decode_record(item.flags, item.value) if item else None
                if record is not None and record[0] == "mcas.ref":
                    if record[2] == d["key"]:
                        mine[i] = item.cas
                    elif expected != 0:
                        failed = True  # the token it expected is spent
                    else:
                        held.append((i, item.cas, record))
                elif not (item is None and expected == 0):
                    failed = True      # a value, or gone when a value was expected
            if failed:
                return False
            for i, token, record in held:
                r = self.resolve(items[i][0], token, record, seen.get(i), chain)
                if r is False:
                    return False
                if r is None:
                    seen[i] = (record[2], token)
        raise Conflict(items[0][0])

    def decide(self, d, outcome, decided, mine, owner):
        items = [it[:8] + [decided[i]] for i, it in enumerate(d["items"])]
        token = d["cas"]
        while True:
            data = pack(["mcas.desc", 3, d["id"], outcome, items])
            status, tags, _ = self.c.conn(d["key"]).request(f"ms {d['key']} {len(data)} c F{RESERVED} T{DESCRIPTOR_TTL} C{token}", data)
            if status == "HD":
                return outcome, decided
            reloaded = self.load(d["key"]) if status == "EX" else None
            if reloaded is None:
                self.undo_all(d["items"], mine)
                if owner: raise OutcomeUnknown(d["key"])
                return None
            if reloaded["status"] != 0:
                return reloaded["status"], [it[8] for it in reloaded["items"]]
            token = reloaded["cas"]

    def undo(self, it, token):
        if it[1] == 0:
            self.c.delete(it[0], token)
        else:
            self.c.store(it[0], it[2] or b"", it[3], ttl_of(it[4]), token)

    def undo_all(self, items, mine):
        for i, token in mine.items():
            self.undo(items[i], token)

    def phase2(self, desc_key, items, status, recorded, mine):
        for i, it in enumerate(items):
            r = recorded[i]
            if r:
                value, flags, expires = (it[5], it[6], it[7]) if status == 1 else (it[2], it[3], it[4])
                if (status == 1 and value is None) or (status == 2 and it[1] == 0):
                    self.c.delete(it[0], r)
                else:
                    self.c.store(it[0], value, flags, ttl_of(expires), r)
            if mine.get(i, 0) and mine[i] != r:
                self.undo(it, mine[i])

    def transact(self, body, budget=30.0):
        deadline, delay = time.time() + budget, 0.001
        while True:
            updates = body(self)
            if updates is None or self.commit(updates):
                return
            if time.time() > deadline: raise Conflict("budget")
            time.sleep(random.uniform(0, delay)); delay = min(delay * 2, 0.1)


# ---- worker CLI: the same workloads as tests/Memstore.StressWorker ----
def run_loops(loops, seconds, step):
    counts, lock, end = {"ok": 0, "conflicts": 0}, threading.Lock(), time.time() + seconds
    def loop(w):
        m = MCAS_FACTORY()
        rnd = random.Random(SEED * 100 + w)
        while time.time() < end:
            try:
                ok = step(m, rnd)
            except Corruption as e:
                print(f"CORRUPTION {e}", flush=True); ok = False
            except (Conflict, OutcomeUnknown):
                ok = False
                with lock: counts["conflicts"] += 1
            if ok:
                with lock: counts["ok"] += 1
    threads = [threading.Thread(target=loop, args=(w,)) for w in range(loops)]
    for t in threads: t.start()
    for t in threads: t.join()
    return counts


def transfer_step(prefix, accounts):
    def step(m, rnd):
        a = rnd.randrange(accounts); b = (a + 1 + rnd.randrange(accounts - 1)) % accounts
        amount = rnd.randint(1, 49)
        def body(m):
            ea, eb = m.mcas_get(f"{prefix}acct:{a}"), m.mcas_get(f"{prefix}acct:{b}")
            x, y = int(ea.value), int(eb.value)
            return None if x < amount else [(ea, str(x - amount).encode()), (eb, str(y + amount).encode())]
        m.transact(body)
        return True
    return step


def token_step(prefix, slots):
    def step(m, rnd):
        a = rnd.randrange(slots); b = (a + 1 + rnd.randrange(slots - 1)) % slots
        ea, eb = m.mcas_get(f"{prefix}slot:{a}"), m.mcas_get(f"{prefix}slot:{b}")
        if ea.exists == eb.exists: return False
        src, dst = (ea, eb) if ea.exists else (eb, ea)
        return m.commit([(src, None), (dst, src.value)])
    return step


def token_problem(m, prefix, slots, tokens):
    held = sorted(e.value.decode() for e in (m.mcas_get(f"{prefix}slot:{i}") for i in range(slots)) if e.exists)
    return None if held == sorted(f"tok:{j}" for j in range(tokens)) else f"slots hold {held}"


def markers_left(client, keys):
    return [k for k in keys if (lambda it: it is not None and it.flags & RESERVED)(client.get(k))]


if __name__ == "__main__":
    mode, servers, prefix = sys.argv[1], sys.argv[2], sys.argv[3]
    MCAS_FACTORY = lambda: Mcas(Client(servers))
    if mode in ("transfer", "tokens"):
        SEED = int(sys.argv[6 if mode == "transfer" else 7])
        loops = int(sys.argv[7 if mode == "transfer" else 8]) if len(sys.argv) > (7 if mode == "transfer" else 8) else 2
        if mode == "transfer":
            counts = run_loops(loops, float(sys.argv[5]), transfer_step(prefix, int(sys.argv[4])))
            print(f"DONE commits={counts['ok']} conflicts={counts['conflicts']}", flush=True)
        else:
            counts = run_loops(loops, float(sys.argv[6]), token_step(prefix, int(sys.argv[4])))
            print(f"DONE moves={counts['ok']} conflicts={counts['conflicts']}", flush=True)
    elif mode == "check-tokens":
        m = MCAS_FACTORY(); slots, tokens = int(sys.argv[4]), int(sys.argv[5])
        problem = token_problem(m, prefix, slots, tokens)
        left = markers_left(m.c, [f"{prefix}slot:{i}" for i in range(slots)])
        print(f"VIOLATION {problem} markers={left}" if problem or left else f"OK tokens={tokens}")
        sys.exit(1 if problem or left else 0)
    elif mode == "check-transfer":
        m = MCAS_FACTORY(); accounts, total = int(sys.argv[4]), int(sys.argv[5])
        got = sum(int(m.mcas_get(f"{prefix}acct:{i}").value) for i in range(accounts))
        left = markers_left(m.c, [f"{prefix}acct:{i}" for i in range(accounts)])
        print(f"VIOLATION total {got} != {total} markers={left}" if got != total or left else f"OK total={total}")
        sys.exit(1 if got != total or left else 0)
    else:
        print(__doc__); sys.exit(2)
