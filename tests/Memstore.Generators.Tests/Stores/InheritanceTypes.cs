namespace Memstore.Generators.Tests.Stores;

// Value types with base types: every public member of every level is stored, public fields included.
#pragma warning disable CA1051 // public fields are part of what these types test

public class Animal
{
    public string Name { get; set; } = "";
    public int Legs { get; set; }
    public int Born;
}

public class Dog : Animal
{
    public string Breed { get; set; } = "";
    public bool GoodBoy;
}

public sealed class Puppy : Dog
{
    public int AgeInWeeks { get; set; }
}

public record Person(string Name);

public record Manager(string Name, int Reports) : Person(Name);

public sealed record Director(string Name, int Reports, string Division) : Manager(Name, Reports)
{
    public string? Assistant { get; init; }
}

public abstract class Shape
{
    public abstract string Kind { get; set; }
    public int Id { get; set; }
    public virtual double Scale { get; set; } = 1;
}

public sealed class Square : Shape
{
    public override string Kind { get; set; } = "square";
    public double Side { get; set; }
}

public class Labelled
{
    public string Label { get; set; } = "base";
    public int Weight { get; set; }
}

/// <summary><c>new</c> with the same type hides the base member (one key); with another type both are stored.</summary>
public sealed class Relabelled : Labelled
{
    public new string Label { get; set; } = "derived";
    public new long Weight { get; set; }
}

[MemcacheStore(Prefix = "inh:")]
public partial class InheritanceStore
{
    [Keyspace("puppy:{id}")]
    public partial Keyspace<int, Puppy> Puppies { get; }

    [Keyspace("dog:{id}")]
    public partial Keyspace<int, Dog> Dogs { get; }

    [Keyspace("director:{id}")]
    public partial Keyspace<int, Director> Directors { get; }

    [Keyspace("square:{id}")]
    public partial Keyspace<int, Square> Squares { get; }

    [Keyspace("relabelled:{id}")]
    public partial Keyspace<int, Relabelled> Relabelled { get; }
}
