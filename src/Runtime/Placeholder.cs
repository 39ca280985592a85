namespace Memstore; internal static class Placeholder { }
