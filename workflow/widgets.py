"""Form widgets the Material frontend cannot draw, drawn as plain HTML it leaves alone.

viewflow's renderer for ``CheckboxSelectMultiple`` emits ``<vf-field-checkbox-select>``, a
custom element its JavaScript never defines: the field is invisible and its errors with it.
``ChoiceTable`` draws native checkboxes in a table, one row per choice with the columns the
form gives it, a search box (qiyue.js, "forms and pickers") and every error of the field
beside it. Registered for viewflow in settings ``VIEWFLOW["WIDGET_RENDERERS"]``.
"""

from xml.etree import ElementTree

from django import forms
from django.utils.translation import gettext as _
from viewflow.forms.renderers import WidgetRenderer


class ChoiceTable(forms.CheckboxSelectMultiple):
    """Checkboxes in a table. ``columns`` is a list of ``(header, cell)`` where ``cell`` takes
    the choice's model instance (or its value) and returns the text shown; the first column
    labels the checkbox. Cells are computed when the form renders, so a form can set the
    columns in ``__init__`` from data it fetched once for all rows."""

    def __init__(self, attrs=None, columns=(), search_placeholder="", search_in=None):
        super().__init__(attrs)
        self.columns = list(columns)
        self.search_placeholder = search_placeholder
        # The cells the search box looks in (indexes of ``columns``); default: all of them.
        self.search_in = search_in

    def __deepcopy__(self, memo):
        copy = super().__deepcopy__(memo)
        copy.columns = list(self.columns)
        return copy


def _sub(parent, tag, text=None, **attrs):
    element = ElementTree.SubElement(parent, tag, {k.rstrip("_"): v for k, v in attrs.items()})
    if text is not None:
        element.text = str(text)
    return element


def _instance(value):
    return getattr(value, "instance", value)


class ChoiceTableRenderer(WidgetRenderer):
    """Renders a ``ChoiceTable`` as ``<fieldset>`` + search box + table of native checkboxes."""

    def create_root(self, context):
        widget = context["widget"]
        bound = self.bound_field
        columns = bound.field.widget.columns or [(bound.label, str)]
        search_in = bound.field.widget.search_in
        base_id = widget["attrs"].get("id") or widget["name"]
        css = "qy-choice-table" + (" qy-choice-table--invalid" if bound.errors else "")
        root = _sub(self.root, "fieldset", class_=css, **{"data-qy-choice-table": ""})
        legend = _sub(root, "legend", bound.label, class_="qy-choice-table__legend")
        if bound.field.required:
            _sub(legend, "span", "*", class_="qy-choice-table__required", **{"aria-hidden": "true"})
        search = _sub(
            root,
            "input",
            type="search",
            class_="qy-choice-table__search",
            id=f"{base_id}_search",
            placeholder=bound.field.widget.search_placeholder or _("Search"),
            autocomplete="off",
            **{"aria-label": _("Search %(label)s") % {"label": bound.label}},
        )
        search.tail = ""
        if bound.errors:
            errors = _sub(
                root, "ul", class_="qy-field-errors", role="alert", id=f"{base_id}_errors"
            )
            for error in bound.errors:
                _sub(errors, "li", error)
        scroll = _sub(root, "div", class_="qy-choice-table__scroll")
        table = _sub(scroll, "table", class_="qy-choice-table__table")
        head = _sub(_sub(table, "thead"), "tr")
        _sub(head, "th", _("Choose"), class_="qy-choice-table__check", scope="col")
        for header, _cell in columns:
            _sub(head, "th", header, scope="col")
        body = _sub(table, "tbody")
        options = [option for _group, group, _index in widget["optgroups"] for option in group]
        for option in options:
            instance = _instance(option["value"])
            cells = [str(cell(instance)) for _header, cell in columns]
            option_id = option["attrs"].get("id") or f"{base_id}_{option['index']}"
            searched = [cells[i] for i in search_in] if search_in is not None else cells
            row = _sub(body, "tr", **{"data-search": " ".join(searched).lower()})
            check = _sub(row, "td", class_="qy-choice-table__check")
            attrs = {"type": "checkbox", "name": option["name"], "value": str(option["value"])}
            attrs["id"] = option_id
            if option["selected"]:
                attrs["checked"] = "checked"
            if bound.errors:
                attrs["aria-describedby"] = f"{base_id}_errors"
            _sub(check, "input", **attrs)
            for index, ((header, _cell), text) in enumerate(zip(columns, cells, strict=True)):
                cell = _sub(row, "td", **{"data-label": str(header)})
                if index == 0:
                    _sub(cell, "label", text, **{"for": option_id})
                else:
                    cell.text = text
        if not options:
            _sub(root, "p", _("Nothing to choose from."), class_="qy-choice-table__empty")
        _sub(
            root,
            "p",
            _("No row matches the search."),
            class_="qy-choice-table__nomatch",
            hidden="hidden",
        )
        if bound.help_text:
            _sub(root, "p", bound.help_text, class_="qy-choice-table__help")
        return root
