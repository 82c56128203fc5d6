from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Company, User
from ewtp.numbers import is_whole_number
from marketplace.models import Listing


class SignupForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, min_length=8)
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    country = forms.CharField(label=_("Country (ISO code, e.g. GB)"), max_length=2, min_length=2)
    account_type = forms.ChoiceField(label=_("I want to"), choices=[("buyer", _("Buy goods")), ("seller", _("Sell goods"))])


class ProfileForm(forms.ModelForm):
    preferred_currency = forms.ChoiceField(label=_("Currency"), required=False,
                                           help_text=_("Leave on automatic to use your country's currency."))

    class Meta:
        model = User
        fields = ["full_name", "country", "preferred_currency", "address_line", "city", "postcode", "language"]
        help_texts = {"language": _("Emails and notifications are written in it.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from ewtp.exceptions import ApplicationError
        from ewtp.fx import fx_table

        try:
            currencies = sorted(fx_table().rates_per_eur)
        except ApplicationError:  # no FX rates loaded yet: the choice falls back to the current value
            currencies = [self.instance.preferred_currency] if self.instance.preferred_currency else []
        self.fields["preferred_currency"].choices = [("", _("Automatic (from my country)"))] + [
            (code, code) for code in currencies]


class CompanyForm(forms.ModelForm):
    business_licence = forms.FileField(
        label=_("Business licence"), required=False,
        help_text=_("PDF, PNG or JPEG, at most 5 MB. Staff check it before your company may publish."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}))

    class Meta:
        model = Company
        fields = ["legal_name", "country", "city", "address", "postcode", "registration_number", "tax_id",
                  "vat_number", "eori_number", "currency", "contact_name", "contact_email", "contact_phone"]
        help_texts = {"vat_number": _("EU and UK companies: checked with its check digits."),
                      "eori_number": _("EU and UK importers/exporters, e.g. GB123456789000."),
                      "country": _("Two-letter ISO code, e.g. CN."), "currency": _("e.g. CNY: your prices and payouts.")}


class CompanyReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("verify", _("Verify")), ("reject", _("Reject"))], widget=forms.RadioSelect,
                                 label=_("Decision"))
    reason = forms.CharField(label=_("Reason (the seller sees it)"), max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    override_reason = forms.CharField(
        label=_("Override of the denied-party match (your reason, audited)"), max_length=500, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed only to verify a company that matches a denied-party list entry."))


class ComplianceDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("clear", _("Clear: a false match, the buyer may pay")),
                 ("refuse", _("Refuse: cancel the orders, nothing is charged"))],
        widget=forms.RadioSelect, label=_("Decision"))
    reason = forms.CharField(label=_("Reason (audited; the buyer does not see it)"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class ListingForm(forms.ModelForm):
    tiers = forms.CharField(
        label=_("Volume prices (B2B)"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One tier a line: from this many units = unit price, e.g. <code>50 = 140.00</code>."))
    photos = MultipleFileField(label=_("Photos"), required=False,
                               help_text=_("Up to 8 JPEG, PNG or WebP photos, 8 MB and 40 megapixels each."))
    status = forms.ChoiceField(label=_("Status"), choices=[("draft", _("Draft (only you see it)")),
                                                          ("published", _("Published (in the catalog)"))],
                               initial="published")
    does_not_ship_to = forms.CharField(
        label=_("Countries you do not ship to"), required=False, max_length=1000,
        help_text=_("Two-letter codes separated by commas, e.g. <code>GB, AU</code>; <code>EU</code> names every "
                    "member state. A country that prohibits the goods must be among them before you publish."))

    class Meta:
        model = Listing
        fields = ["title_en", "title_zh", "description_en", "description_zh", "category", "hs_code", "origin_country",
                  "price_amount", "moq", "stock", "retail", "b2b_only", "weight_kg", "length_cm", "width_cm",
                  "height_cm"]
        widgets = {"description_en": forms.Textarea(attrs={"rows": 3}),
                   "description_zh": forms.Textarea(attrs={"rows": 3}),
                   "hs_code": forms.TextInput(attrs={"list": "hs-options", "autocomplete": "off",
                                                     "data-hs-search": "/api/v1/customs/hs/"})}
        help_texts = {"hs_code": _("Type a code or words (English or Chinese): matching HS codes are suggested.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("tiers", "\n".join(f"{t.min_quantity} = {t.price_amount}"
                                                        for t in self.instance.tiers.all()))
            if self.instance.status == Listing.Status.SUSPENDED:
                self.fields["status"].choices += [("suspended", _("Suspended"))]
            self.initial.setdefault("status", self.instance.status)
            self.initial["does_not_ship_to"] = ", ".join(self.instance.does_not_ship_to or [])
        self.fields["category"].label_from_instance = lambda c: ("— " * c.depth) + c.name

    def clean_tiers(self):
        tiers = []
        for number, line in enumerate((self.cleaned_data.get("tiers") or "").splitlines(), start=1):
            if not line.strip():
                continue
            quantity, sep, price = line.partition("=")
            if not sep or not is_whole_number(quantity.strip()):
                raise forms.ValidationError(_("Line %(n)s: write a tier as 50 = 140.00.") % {"n": number})
            tiers.append((quantity.strip(), price.strip()))
        return tiers

    def clean_photos(self):
        photos = self.cleaned_data.get("photos") or []
        if len(photos) > 8:
            raise forms.ValidationError(_("Choose at most 8 photos."))
        return photos


ACCEPT_DAP_LABEL = _("Where customs assesses the duty at import, accept DAP: that order's duties and taxes are "
                     "paid on delivery, not now")


class PayForm(forms.Form):
    card_number = forms.CharField(label=_("Card number"), max_length=23, initial="4242 4242 4242 4242",
                                  help_text=_("Sandbox: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined."))



class AddToCartForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=1_000_000)


class CheckoutForm(forms.Form):
    incoterm = forms.ChoiceField(label=_("Duties and taxes"), choices=[
        ("DDP", _("Pay now (DDP): no surprises at delivery")),
        ("DAP", _("Pay on delivery (DAP): estimate shown")),
    ], initial="DDP")
    accept_dap = forms.BooleanField(label=ACCEPT_DAP_LABEL, required=False)


class OrderForm(AddToCartForm, CheckoutForm):
    """Buy now: a quantity and the duties choice in one step."""

    field_order = ["quantity", "incoterm", "accept_dap"]


class AddressForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=60, required=False)
    name = forms.CharField(label=_("Recipient"), max_length=200)
    line = forms.CharField(label=_("Address"), max_length=300)
    city = forms.CharField(label=_("City"), max_length=100)
    postcode = forms.CharField(label=_("Postcode"), max_length=20, required=False)
    country = forms.CharField(label=_("Country (ISO code, e.g. DE)"), max_length=2, min_length=2)
    make_default = forms.BooleanField(label=_("Ship my orders here"), required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet (.csv UTF-8 or .xlsx)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}))
    dry_run = forms.BooleanField(label=_("Dry run: check every row, write nothing"), required=False, initial=True)
    valid_only = forms.BooleanField(label=_("Import the valid rows even if some rows have errors"), required=False)


class RfqForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity you need"), min_value=1, max_value=10_000_000)
    message = forms.CharField(label=_("Message to the seller"), max_length=1000, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))


class QuotationForm(forms.Form):
    unit_price = forms.DecimalField(label=_("Unit price"), max_digits=14, decimal_places=2, min_value=0.01)
    valid_days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=90, initial=14)
    note = forms.CharField(label=_("Note to the buyer"), max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ListingOriginForm(forms.Form):
    """The seller's materials declaration for a listing's rule of origin: one material a line,
    "description; HS code; country of origin; value" (the service checks codes, countries and amounts)."""

    ex_works_price = forms.DecimalField(label=_("Ex-works price of one unit"), min_value=0, max_digits=14,
                                        decimal_places=4,
                                        help_text=_("What one unit costs at your door, in the listing's currency."))
    wholly_obtained = forms.BooleanField(label=_("Wholly obtained in the country of origin"), required=False,
                                         help_text=_("Grown, harvested or extracted there, with no foreign "
                                                     "material (e.g. tea picked and processed on your estate)."))
    exporter_reference = forms.CharField(label=_("Exporter reference (REX number or approved exporter number)"),
                                         max_length=64, required=False)
    materials = forms.CharField(
        label=_("Materials of one unit"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One a line: description; HS code; country of origin; value. "
                    "E.g. green tea leaves; 0902.10; MY; 30.00"))

    def __init__(self, *args, declaration=None, **kwargs):
        if declaration is not None and not kwargs.get("data") and not args:
            kwargs["initial"] = {
                "ex_works_price": declaration.ex_works_price, "wholly_obtained": declaration.wholly_obtained,
                "exporter_reference": declaration.exporter_reference,
                "materials": "\n".join(f"{m.get('description', '')}; {m['hs_code']}; {m['origin']}; {m['value']}"
                                       for m in declaration.materials)}
        super().__init__(*args, **kwargs)

    def clean_materials(self) -> list[dict]:
        rows = []
        for number, line in enumerate(self.cleaned_data["materials"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split(";")]
            if len(parts) != 4:
                raise forms.ValidationError(_("Line %(n)s: give description; HS code; country of origin; value "
                                              "(4 parts separated by ';').") % {"n": number})
            rows.append({"description": parts[0], "hs_code": parts[1], "origin": parts[2], "value": parts[3]})
        return rows

    def as_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["ex_works_price"] = str(data["ex_works_price"])
        return data


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("Rating"), coerce=int, widget=forms.RadioSelect,
                                    choices=[(n, "★" * n) for n in range(5, 0, -1)],
                                    error_messages={"required": _("Give a rating from 1 to 5 stars.")})
    body = forms.CharField(label=_("Your review"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": _("Write a few words.")})


class ReviewReplyForm(forms.Form):
    reply = forms.CharField(label=_("Your reply"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                            error_messages={"required": _("Write a few words.")})
