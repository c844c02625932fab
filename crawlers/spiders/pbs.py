"""PBS NewsHour: headline, politics and economy RSS feeds, then WordPress article pages."""

from crawlers.spiders.feed import OutletFeedSpider


class PbsSpider(OutletFeedSpider):
    """PBS NewsHour articles; JSON-LD NewsArticle gives the metadata, `div.body-text` the paragraphs."""

    name = "pbs"
    BODY = ("div.body-text > p", "article .body-text p")
    AUTHORS = (".post__byline-name-hyphenated",)
