from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import Company, CompanyMember, User
from accounts.services import company_verify
from ewtp.exceptions import ApplicationError


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "country", "is_staff"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["full_name", "country", "preferred_currency", "address_line", "city", "postcode"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


class MemberInline(admin.TabularInline):
    model = CompanyMember
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["legal_name", "country", "currency", "verification", "vat_number", "eori_number", "created_at"]
    list_filter = ["verification", "country"]
    search_fields = ["legal_name", "tax_id", "registration_number", "vat_number", "eori_number"]
    readonly_fields = ["verification", "verification_reason", "verified_at"]
    inlines = [MemberInline]
    actions = ["verify", "reject"]

    @admin.action(description="Verify the selected companies")
    def verify(self, request, queryset):
        for company in queryset:
            try:
                company_verify(company=company, staff=request.user, approve=True)
            except ApplicationError as exc:
                self.message_user(request, f"{company}: {exc.message}", messages.ERROR)

    @admin.action(description="Reject the selected companies (reason: incomplete documents)")
    def reject(self, request, queryset):
        """A stock reason; the staff page (/staff/companies/) takes a reason of one's own."""
        for company in queryset:
            company_verify(company=company, staff=request.user, approve=False,
                           reason="Your documents are incomplete: upload a legible business licence.")
