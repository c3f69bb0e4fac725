using SalesPipeline.Domain;
using Xunit;
using static SalesPipeline.Tests.Core.DealKit;

namespace SalesPipeline.Tests.Core.Domain;

public sealed class AccountTests
{
    [Fact]
    public void Create_NameAndSegment_RecordsWhoAndWhenWithNoContacts()
    {
        var account = Account.Create(" Acme Sp. z o.o. ", " Manufacturing ", Anna, T0);

        Assert.Equal("Acme Sp. z o.o.", account.Name);
        Assert.Equal("Manufacturing", account.Segment);
        Assert.Equal(Anna, account.CreatedBy);
        Assert.Equal(T0, account.CreatedAt);
        Assert.Equal(0, account.Version);
        Assert.Empty(account.Contacts);
    }

    [Fact]
    public void Create_BlankSegment_HasNoSegment() =>
        Assert.Null(Account.Create("Acme", "  ", Anna, T0).Segment);

    [Fact]
    public void Create_EmptyName_ThrowsArgumentException()
    {
        var e = Assert.Throws<ArgumentException>(() => Account.Create("", null, Anna, T0));

        Assert.Equal("name", e.ParamName);
        Assert.Contains("'name' must not be empty", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddContact_People_KeepsThemInOrderWithEveryField()
    {
        var account = Account.Create("Acme", null, Anna, T0);
        var cfo = new Contact("Ewa Nowak", "CFO", "+48 600 100 200", "ewa@acme.example", ContactChannel.Phone);
        var it = new Contact("Jan Kowalski", PreferredChannel: ContactChannel.LinkedIn);

        account.AddContact(cfo);
        account.AddContact(it);

        Assert.Equal([cfo, it], account.Contacts);
        Assert.Equal(ContactChannel.Phone, account.Contacts[0].PreferredChannel);
        Assert.Equal("CFO", account.Contacts[0].Role);
    }

    [Fact]
    public void AddContact_WithoutName_ThrowsArgumentExceptionAndAddsNothing()
    {
        var account = Account.Create("Acme", null, Anna, T0);

        Assert.Throws<ArgumentException>(() => account.AddContact(new Contact(" ", "CFO")));

        Assert.Empty(account.Contacts);
    }

    [Fact]
    public void Rename_NewName_IsTrimmed()
    {
        var account = Account.Create("Acme", null, Anna, T0);

        account.Rename("  Acme Group ");

        Assert.Equal("Acme Group", account.Name);
    }

    [Fact]
    public void Restore_StoredData_KeepsIdVersionAndContacts()
    {
        var id = AccountId.New();
        var contact = new Contact("Ewa Nowak", "CFO");

        var account = Account.Restore(id, "Acme", "Retail", [contact], T0, Bob, 3);

        Assert.Equal(id, account.Id);
        Assert.Equal(3, account.Version);
        Assert.Equal([contact], account.Contacts);
        Assert.Equal(Bob, account.CreatedBy);
    }

    [Fact]
    public void Restore_NameAnEarlierVersionStoredWithANoncharacter_StaysReadable_ThoughCreateRefusesIt()
    {
        var account = Account.Restore(AccountId.New(), "Acme\uFFFF", null, [], T0, Bob, 1);

        Assert.Equal("Acme\uFFFF", account.Name);
        Assert.Throws<ArgumentException>(() => Account.Create("Acme\uFFFF", null, Anna, T0));
    }

    [Fact]
    public void Restore_NegativeVersion_ThrowsArgumentOutOfRangeException() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Account.Restore(AccountId.New(), "Acme", null, [], T0, Bob, -1));
}
