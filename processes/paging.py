"""Page links for the long supervision lists (督办看板, 我的五个一): a page number in the query
string beside the list's filters."""

from django.core.paginator import Paginator


class CountedPaginator(Paginator):
    """A paginator told how many items there are (an aggregate already counted them)."""

    def __init__(self, *args, count: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if count is not None:
            self.count = count  # over the cached property: no COUNT query


def paginate(items, params, per_page: int, count: int | None = None) -> dict:
    """The page of ``items`` that ``params["page"]`` asks for (the first by default, the last
    when past it), with what processes/_pages.html prints: the page links, the numbers left
    out as "…", and the query string of the other parameters. ``count``: how many items
    there are, when the caller knows already."""
    paginator = CountedPaginator(items, per_page, count=count)
    page = paginator.get_page(params.get("page"))
    query = params.copy()
    query.pop("page", None)
    return {
        "page_obj": page,
        "page_links": list(paginator.get_elided_page_range(page.number, on_each_side=2)),
        "page_ellipsis": Paginator.ELLIPSIS,
        "page_query": query.urlencode(),
    }
