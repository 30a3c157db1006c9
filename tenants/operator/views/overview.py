"""The console's first page: the platform at a glance."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tenants.operator.access import operator_required
from tenants.operator.selectors import operator_overview


@require_GET
@operator_required
def overview(request: HttpRequest) -> HttpResponse:
    data = operator_overview()
    charts = {
        "signups": {"labels": [week for week, _n in data.signups],
                    "values": [count for _w, count in data.signups]},
        "status": {"labels": [label for _v, label, _n in data.by_status],
                   "values": [count for _v, _l, count in data.by_status]},
    }
    return render(request, "operator/overview.html", {"data": data, "charts": charts})
