using SalesPipeline.Domain;
using Xunit;

namespace SalesPipeline.Tests.Core.Domain;

public sealed class IdentifiersTests
{
    [Fact]
    public void New_CalledTwice_GivesDistinctIdsOfEveryKind()
    {
        Assert.NotEqual(OpportunityId.New(), OpportunityId.New());
        Assert.NotEqual(AccountId.New(), AccountId.New());
        Assert.NotEqual(ActivityId.New(), ActivityId.New());
    }

    [Fact]
    public void ToString_GuidIds_IsTheHyphenatedGuid()
    {
        var guid = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");

        Assert.Equal("0f8fad5b-d9cb-469f-a165-70867728950e", new OpportunityId(guid).ToString());
        Assert.Equal("0f8fad5b-d9cb-469f-a165-70867728950e", new AccountId(guid).ToString());
        Assert.Equal("0f8fad5b-d9cb-469f-a165-70867728950e", new ActivityId(guid).ToString());
    }

    [Fact]
    public void Equals_SameGuid_IdsAreEqualValues()
    {
        var guid = Guid.NewGuid();

        Assert.Equal(new OpportunityId(guid), new OpportunityId(guid));
        Assert.True(new AccountId(guid) == new AccountId(guid));
    }

    [Theory]
    [InlineData("identification")]
    [InlineData("a")]
    [InlineData("stage-2")]
    [InlineData("closed-lost")]
    public void StageId_Slug_IsAccepted(string slug)
    {
        Assert.True(StageId.IsValid(slug));
        Assert.Equal(slug, new StageId(slug).Value);
        Assert.Equal(slug, new StageId(slug).ToString());
    }

    [Theory]
    [InlineData("Offer")]
    [InlineData("2nd-stage")]
    [InlineData("-offer")]
    [InlineData("offer stage")]
    [InlineData("oferta-ł")]
    [InlineData("")]
    [InlineData("offer\n")]
    public void StageId_NotASlug_ThrowsArgumentExceptionWithAnExample(string text)
    {
        Assert.False(StageId.IsValid(text));
        var e = Assert.Throws<ArgumentException>(() => new StageId(text));

        Assert.Contains($"'{text}' is not a valid stage id", e.Message, StringComparison.Ordinal);
        Assert.Contains("for example 'negotiation'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StageId_LongerThan64Characters_IsRejected()
    {
        Assert.True(StageId.IsValid(new string('a', 64)));
        Assert.False(StageId.IsValid(new string('a', 65)));
        Assert.False(StageId.IsValid(null));
    }

    [Fact]
    public void PipelineId_NotASlug_ThrowsArgumentExceptionWithAnExample()
    {
        Assert.Equal("renewals", new PipelineId("renewals").Value);
        var e = Assert.Throws<ArgumentException>(() => new PipelineId("New Business"));

        Assert.Contains("'New Business' is not a valid pipeline id", e.Message, StringComparison.Ordinal);
        Assert.Contains("'new-business'", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new PipelineId("renewals\n"));
    }

    [Fact]
    public void UserId_Padded_IsTrimmed() =>
        Assert.Equal(new UserId("anna"), new UserId("  anna "));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void UserId_Blank_ThrowsArgumentException(string value) =>
        Assert.Throws<ArgumentException>(() => new UserId(value));

    [Fact]
    public void UserId_LongerThan200Characters_ThrowsArgumentExceptionWithTheLength()
    {
        var e = Assert.Throws<ArgumentException>(() => new UserId(new string('u', 201)));

        Assert.Contains("at most 200 characters long, was 201", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_DefaultIds_IsEmptyNotNull()
    {
        Assert.Equal(string.Empty, default(StageId).ToString());
        Assert.Equal(string.Empty, default(UserId).ToString());
        Assert.Equal(string.Empty, default(PipelineId).ToString());
    }
}
