using NodaTime;

namespace SalesPipeline.Domain;

/// <summary>How a contact prefers to be reached.</summary>
public enum ContactChannel
{
    /// <summary>No preference recorded.</summary>
    Unspecified,

    /// <summary>By phone.</summary>
    Phone,

    /// <summary>By e-mail.</summary>
    Email,

    /// <summary>In person.</summary>
    InPerson,

    /// <summary>On LinkedIn.</summary>
    LinkedIn,
}

/// <summary>A person at a client company.</summary>
/// <param name="Name">The person's name.</param>
/// <param name="Role">Their role, such as "CFO".</param>
/// <param name="Phone">Their phone number.</param>
/// <param name="Email">Their e-mail address.</param>
/// <param name="PreferredChannel">How they prefer to be reached.</param>
public sealed record Contact(string Name, string? Role = null, string? Phone = null, string? Email = null, ContactChannel PreferredChannel = ContactChannel.Unspecified);

/// <summary>A client company with its contacts. Changes only through its methods.</summary>
/// <remarks>Not thread-safe: load, change and save one instance per unit of work.</remarks>
public sealed class Account
{
    private readonly List<Contact> _contacts;

    private Account(AccountId id, string name, string? segment, IEnumerable<Contact> contacts, Instant createdAt, UserId createdBy, int version)
    {
        Id = id;
        Name = name;
        Segment = segment;
        _contacts = [.. contacts];
        CreatedAt = createdAt;
        CreatedBy = createdBy;
        Version = version;
    }

    /// <summary>Gets the account's id.</summary>
    public AccountId Id { get; }

    /// <summary>Gets the company's name.</summary>
    public string Name { get; private set; }

    /// <summary>Gets the market segment, if recorded.</summary>
    public string? Segment { get; private set; }

    /// <summary>Gets the people at the company.</summary>
    public IReadOnlyList<Contact> Contacts => _contacts;

    /// <summary>Gets when the account was created.</summary>
    public Instant CreatedAt { get; }

    /// <summary>Gets who created the account.</summary>
    public UserId CreatedBy { get; }

    /// <summary>Gets the stored version, used for optimistic concurrency; 0 until first saved.</summary>
    public int Version { get; private set; }

    /// <summary>Creates an account.</summary>
    /// <param name="name">The company's name; not empty, at most 300 characters.</param>
    /// <param name="segment">The market segment, if known.</param>
    /// <param name="by">Who creates it.</param>
    /// <param name="at">When.</param>
    /// <returns>The new account.</returns>
    /// <exception cref="ArgumentException">The name is empty or too long.</exception>
    public static Account Create(string name, string? segment, UserId by, Instant at) =>
        new(AccountId.New(), Text.Required(name, nameof(name), 300), Text.Optional(segment, nameof(segment), 200), [], at, by, 0);

    /// <summary>Rebuilds an account from stored data.</summary>
    /// <param name="id">The id.</param>
    /// <param name="name">The name.</param>
    /// <param name="segment">The segment.</param>
    /// <param name="contacts">The contacts.</param>
    /// <param name="createdAt">When it was created.</param>
    /// <param name="createdBy">Who created it.</param>
    /// <param name="version">The stored version.</param>
    /// <returns>The account.</returns>
    public static Account Restore(AccountId id, string name, string? segment, IEnumerable<Contact> contacts, Instant createdAt, UserId createdBy, int version)
    {
        ArgumentNullException.ThrowIfNull(contacts);
        ArgumentOutOfRangeException.ThrowIfNegative(version);
        return new Account(id, Text.Stored(name, nameof(name), 300), segment, contacts, createdAt, createdBy, version);
    }

    /// <summary>Adds a contact person.</summary>
    /// <param name="contact">The contact; its name must not be empty.</param>
    /// <exception cref="ArgumentException">The contact's name is empty.</exception>
    public void AddContact(Contact contact)
    {
        ArgumentNullException.ThrowIfNull(contact);
        Text.Required(contact.Name, nameof(contact), 300);
        _contacts.Add(contact);
    }

    /// <summary>Renames the account.</summary>
    /// <param name="name">The new name.</param>
    /// <exception cref="ArgumentException">The name is empty or too long.</exception>
    public void Rename(string name) => Name = Text.Required(name, nameof(name), 300);

    internal void MarkPersisted(int version) => Version = version;
}
