from django.contrib import admin

from logistics.models import Parcel, Shipment, TrackingEvent


class ParcelInline(admin.TabularInline):
    model = Parcel
    extra = 0


class EventInline(admin.TabularInline):
    model = TrackingEvent
    extra = 0
    readonly_fields = ["code", "occurred_at", "location", "description", "source"]
    can_delete = False


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
    list_display = ["order_reference", "tracking_number", "service_code", "origin_country", "destination_country",
                    "status", "booked_at"]
    list_filter = ["status", "service_code", "destination_country"]
    search_fields = ["order_reference", "tracking_number"]
    inlines = [ParcelInline, EventInline]
