"""The Guardian: section RSS feeds, then article pages (DCR layout since 2021, older layouts as fallback)."""

from crawlers.spiders.feed import OutletFeedSpider


class GuardianSpider(OutletFeedSpider):
    """Guardian articles and live blogs; the <h1> is the headline (og:title appends columnists' names)."""

    name = "guardian"
    TITLE = ('[data-gu-name="headline"] h1', "h1[itemprop=headline]", "h1.content__headline")
    BODY = (
        "div.article-body-commercial-selector > p",  # DCR article
        "#liveblog-body article.block > p, #liveblog-body article.block blockquote p",  # DCR live blog
        "div[itemprop=articleBody] > p",  # 2014-2020 layout
        "#article-body-blocks > p",  # 2011 layout
    )
