from collections.abc import Callable
from typing import Any

from django.urls import path

from accounts.access import register_url_sample

from . import views, views_record
from .models import Discrepancy, Inventory, LedgerEntry, Lot

app_name = "inventory"
urlpatterns = [
    path("", views.home, name="home"),
    path("receive/", views_record.receive, name="receive"),
    path("draw/", views_record.draw, name="draw"),
    path("administer/", views_record.administer, name="administer"),
    path("waste/", views_record.waste, name="waste"),
    path("destroy/", views_record.destroy, name="destroy"),
    path("loss/", views_record.loss, name="loss"),
    path("transfer/", views_record.transfer, name="transfer"),
    path("count/", views_record.count, name="count"),
    path("discrepancies/", views.discrepancies, name="discrepancies"),
    path("discrepancies/<int:discrepancy_id>/resolve/", views_record.resolve, name="resolve"),
    path("lots/", views.lots, name="lots"),
    path("lots/<int:lot_id>/", views.lot, name="lot"),
    path("entries/<int:entry_id>/", views.entry, name="entry"),
    path("entries/<int:entry_id>/correct/", views_record.correct, name="correct"),
    path("sessions/<int:session_id>/", views.session, name="session"),
    path("reports/", views.reports_index, name="reports"),
    path("reports/dispensing/", views.report, {"slug": "dispensing"}, name="report_dispensing"),
    path("reports/receipts/", views.report, {"slug": "receipts"}, name="report_receipts"),
    path("reports/disposals/", views.report, {"slug": "disposals"}, name="report_disposals"),
    path("reports/counts/", views.report, {"slug": "counts"}, name="report_counts"),
    path("reports/reconciliation/", views.reconciliation, name="reconciliation"),
    path("inventories/", views.inventories, name="inventories"),
    path("inventories/new/", views.inventory_new, name="inventory_new"),
    path("inventories/<int:inventory_id>/", views.inventory_detail, name="inventory"),
    path("setup/", views.setup, name="setup"),
]


def _first(model: Any) -> Callable[[Any], Any]:
    return lambda clinic: model.objects.in_clinic(clinic).values_list("pk", flat=True).first()


register_url_sample("discrepancy_id", _first(Discrepancy))
register_url_sample("lot_id", _first(Lot))
register_url_sample("entry_id", _first(LedgerEntry))
register_url_sample("inventory_id", _first(Inventory))
