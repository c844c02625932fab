"""One spider per outlet; `feed.OutletFeedSpider` holds what they share (feeds in, articles out)."""
