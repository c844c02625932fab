"""The War Zone (twz.com): the WordPress feed, then article pages with a Yoast JSON-LD @graph."""

from crawlers.spiders.feed import OutletFeedSpider


class WarzoneSpider(OutletFeedSpider):
    """The War Zone articles; Yoast's @graph gives headline, date and author, `.entry-content` the text."""

    name = "warzone"
    BODY = ("div.entry-content > p", "article .entry-content p")
    AUTHORS = (".author-name a",)
