from django.contrib import admin

from marketplace.models import Listing, Order, OrderEvent, OrderLine


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = ["title_en", "title_zh", "company", "hs_code", "origin_country", "price_amount", "currency",
                    "stock", "status"]
    list_filter = ["status", "origin_country"]
    search_fields = ["title_en", "title_zh", "hs_code"]
    list_select_related = ["company"]


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    readonly_fields = [f.name for f in OrderLine._meta.fields]
    can_delete = False


class OrderEventInline(admin.TabularInline):
    model = OrderEvent
    extra = 0
    readonly_fields = [f.name for f in OrderEvent._meta.fields]
    can_delete = False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["__str__", "company", "buyer", "status", "total_amount", "currency", "created_at"]
    list_filter = ["status", "ship_country"]
    list_select_related = ["company", "buyer"]
    readonly_fields = ["status", "checkout", "quote", "goods_amount", "shipping_amount", "duties_amount", "total_amount"]
    inlines = [OrderLineInline, OrderEventInline]
