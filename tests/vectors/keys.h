/*
 * Deterministic key sets and server lists shared by the vector programs.
 *
 * Keys are memcached text-protocol keys: 1..250 bytes, no space and no control
 * characters. Most are printable ASCII; about one in six also carries UTF-8
 * multibyte characters (bytes >= 0x80 are where signed-char hashing differs).
 * The generator is splitmix64 with a fixed seed, so every run gives the same keys.
 */
#ifndef RING_VECTORS_KEYS_H
#define RING_VECTORS_KEYS_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define KEY_COUNT 10000
#define MAX_KEY_LENGTH 250

typedef struct { const char *host; unsigned port; unsigned weight; } server_t;
typedef struct { const char *name; size_t count; server_t servers[10]; } config_t;

/* Server lists: 1, 3 and 10 servers; IPv4, IPv6 and host names; default and other
 * ports; equal and unequal weights. Plain ketama and modula ignore weights. */
static const config_t CONFIGS[] = {
  { "one", 1, { { "10.0.1.1", 11211, 1 } } },
  { "three", 3, { { "10.0.1.1", 11211, 1 }, { "10.0.1.2", 11211, 1 }, { "10.0.1.3", 11211, 1 } } },
  { "three-ports", 3, { { "10.0.1.1", 11211, 1 }, { "10.0.1.2", 11212, 1 }, { "10.0.1.3", 22122, 1 } } },
  { "ten-names", 10, {
      { "cache01.example.com", 11211, 1 }, { "cache02.example.com", 11311, 1 },
      { "cache03.example.com", 11211, 1 }, { "cache04.example.com", 11311, 1 },
      { "cache05.example.com", 11211, 1 }, { "cache06.example.com", 11311, 1 },
      { "cache07.example.com", 11211, 1 }, { "cache08.example.com", 11311, 1 },
      { "cache09.example.com", 11211, 1 }, { "cache10.example.com", 11311, 1 } } },
  { "mixed-ipv6", 4, { { "::1", 11211, 1 }, { "fe80::1", 11212, 1 },
      { "localhost", 11211, 1 }, { "mc-a.internal", 11211, 1 } } },
  { "three-equal-weight-5", 3, { { "10.0.1.1", 11211, 5 }, { "10.0.1.2", 11211, 5 }, { "10.0.1.3", 11211, 5 } } },
  { "three-weighted", 3, { { "10.0.1.1", 11211, 1 }, { "10.0.1.2", 11211, 2 }, { "10.0.1.3", 11211, 3 } } },
  /* Weights summing to 25 over 5 servers: single-precision rounding gives weight 1 seven
   * digests where exact arithmetic gives eight; libmemcached's float arithmetic decides. */
  { "five-weighted-sum-25", 5, { { "10.0.2.1", 11211, 1 }, { "10.0.2.2", 11211, 2 },
      { "10.0.2.3", 11211, 4 }, { "10.0.2.4", 11211, 8 }, { "10.0.2.5", 11211, 10 } } },
  { "ten-weighted", 10, {
      { "mc01.example.net", 11211, 5 }, { "mc02.example.net", 11211, 1 },
      { "mc03.example.net", 11211, 1 }, { "mc04.example.net", 11212, 2 },
      { "mc05.example.net", 11211, 3 }, { "mc06.example.net", 11211, 8 },
      { "mc07.example.net", 11211, 1 }, { "mc08.example.net", 11213, 1 },
      { "mc09.example.net", 11211, 4 }, { "mc10.example.net", 11211, 10 } } },
};
#define CONFIG_COUNT (sizeof(CONFIGS) / sizeof(CONFIGS[0]))

static int config_has_unequal_weights(const config_t *config)
{
  for (size_t i = 1; i < config->count; i++)
    if (config->servers[i].weight != config->servers[0].weight)
      return 1;
  return 0;
}

static uint64_t splitmix64(uint64_t *state)
{
  uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

static size_t random_below(uint64_t *state, size_t bound) { return (size_t) (splitmix64(state) % bound); }

/* Appends one UTF-8 encoded code point of 2, 3 or 4 bytes; returns its length or 0 if no room. */
static size_t append_multibyte(uint64_t *state, unsigned char *out, size_t room)
{
  size_t length = 2 + random_below(state, 3);
  if (length > room)
    return 0;
  uint32_t cp;
  if (length == 2)
    cp = 0xA0 + (uint32_t) random_below(state, 0x800 - 0xA0);
  else if (length == 3)
    {
      do cp = 0x800 + (uint32_t) random_below(state, 0x10000 - 0x800);
      while (cp >= 0xD800 && cp <= 0xDFFF);
    }
  else
    cp = 0x10000 + (uint32_t) random_below(state, 0x110000 - 0x10000);
  if (length == 2) { out[0] = 0xC0 | (cp >> 6); out[1] = 0x80 | (cp & 0x3F); }
  else if (length == 3) { out[0] = 0xE0 | (cp >> 12); out[1] = 0x80 | ((cp >> 6) & 0x3F); out[2] = 0x80 | (cp & 0x3F); }
  else { out[0] = 0xF0 | (cp >> 18); out[1] = 0x80 | ((cp >> 12) & 0x3F); out[2] = 0x80 | ((cp >> 6) & 0x3F); out[3] = 0x80 | (cp & 0x3F); }
  return length;
}

/* Key number i. The first ten are RING.md's key0..key9; the rest are random but
 * fixed: lengths mostly short (as real keys are) yet covering 1..250. */
static size_t make_key(size_t index, unsigned char *key)
{
  if (index < 10)
    return (size_t) sprintf((char *) key, "key%zu", index);
  if (index == 10)
    {
      memset(key, 'z', MAX_KEY_LENGTH);
      return MAX_KEY_LENGTH;
    }
  uint64_t state = 0x5EED0000ULL + index;
  size_t size_class = random_below(&state, 100);
  size_t target = size_class < 70 ? 1 + random_below(&state, 40)
                : size_class < 90 ? 41 + random_below(&state, 80)
                : 121 + random_below(&state, 130);
  int with_multibyte = random_below(&state, 6) == 0;
  size_t length = 0;
  while (length < target)
    {
      size_t added = 0;
      if (with_multibyte && random_below(&state, 4) == 0)
        added = append_multibyte(&state, key + length, target - length);
      if (added == 0)
        key[length] = (unsigned char) (0x21 + random_below(&state, 0x7F - 0x21)), added = 1;
      length += added;
    }
  return length;
}

/* Writes "host:port:weight" entries joined by commas; IPv6 hosts in brackets. */
static void print_server_list(FILE *out, const config_t *config)
{
  for (size_t i = 0; i < config->count; i++)
    {
      const server_t *server = &config->servers[i];
      int ipv6 = strchr(server->host, ':') != NULL;
      fprintf(out, "%s%s%s%s:%u:%u", i ? "," : "", ipv6 ? "[" : "", server->host, ipv6 ? "]" : "",
              server->port, server->weight);
    }
}

static void print_hex(FILE *out, const unsigned char *bytes, size_t length)
{
  for (size_t i = 0; i < length; i++)
    fprintf(out, "%02x", bytes[i]);
}

#endif
