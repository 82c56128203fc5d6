"""Three carriers' APIs over real HTTP, for tests: what karrio's UPS, FedEx and MyDHL (DHL Express)
connectors talk to when `KarrioCarrier` routes a service to them.

Each answers its documented request and response shapes (the fields karrio's connectors read, as
karrio's own test fixtures and schemas show them): OAuth tokens (UPS, FedEx) or Basic auth (MyDHL),
rating, shipment creation with a label and a commercial invoice, tracking, cancelling. It counts the
labels it made, keeps each shipment's events, and checks credentials. Tests steer it: the next
requests to a path answer with a status and body, or hang (for timeouts); a shipment's events can
be set. Outside our code: a thread of the test process on 127.0.0.1.
"""

from __future__ import annotations

import base64
import io
import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image

from logistics.domain.tracking import make_fedex12, make_ups1z

CREDENTIALS = {
    "ups": {"client_id": "ups-client", "client_secret": "ups-secret", "account_number": "A1B2C3"},
    "fedex": {"api_key": "fedex-key", "secret_key": "fedex-secret", "account_number": "740561073"},
    "mydhl": {"username": "dhl-user", "password": "dhl-pass", "account_number": "123456789"},
}
BASIC_DHL = base64.b64encode(b"dhl-user:dhl-pass").decode()
BASIC_UPS = base64.b64encode(b"ups-client:ups-secret").decode()


def _pdf() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 60), "white").save(buffer, "PDF")
    return base64.b64encode(buffer.getvalue()).decode()


def _png() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), "white").save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


@dataclass
class Shipment:
    carrier: str
    tracking_number: str
    service: str
    reference: str
    request: dict
    events: list[dict] = field(default_factory=list)  # the carrier's own event dicts, in its format
    cancelled: bool = False


@dataclass
class FakeCarriers:
    shipments: dict[str, Shipment] = field(default_factory=dict)  # by tracking number
    requests: list[tuple[str, str, str]] = field(default_factory=list)  # (method, path, authorization)
    # path fragment -> the next answers [(status, body dict or None to hang)]
    next_answers: dict[str, list[tuple[int, dict | None]]] = field(default_factory=dict)
    prices: dict[str, tuple[str, str]] = field(default_factory=lambda: {
        "ups": ("71.30", "USD"), "fedex": ("74.85", "USD"), "mydhl": ("68.40", "USD")})
    hang_seconds: float = 3.0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._serial = 1000

    def url(self, carrier: str) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/{carrier}"

    def connections(self) -> dict[str, dict[str, str]]:
        """CARRIER_CONNECTIONS pointing every carrier at this server."""
        return {name: {**creds, "base_url": self.url(name)} for name, creds in CREDENTIALS.items()}

    def start(self) -> FakeCarriers:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer_next(self, fragment: str, status: int, body: dict | None) -> None:
        """The next request whose path contains `fragment` gets `status` and `body` (None: it hangs)."""
        with self._lock:
            self.next_answers.setdefault(fragment, []).append((status, body))

    def labels(self, carrier: str) -> int:
        return sum(1 for s in self.shipments.values() if s.carrier == carrier)

    # -- one shipment's events in each carrier's own format ------------------------------------------

    def scan(self, tracking_number: str, code: str, description: str, at: str, city: str, country: str) -> None:
        """Add a scan (`at` ISO 8601 UTC, e.g. "2026-12-06T08:30:00") in the shipment's carrier's format."""
        shipment = self.shipments[tracking_number]
        day, clock = at.split("T")
        if shipment.carrier == "ups":
            event = {"date": day.replace("-", ""), "time": clock.replace(":", ""),
                     "location": {"address": {"city": city, "countryCode": country, "country": country}},
                     "status": {"code": code, "description": description, "type": _ups_type(code)}}
        elif shipment.carrier == "fedex":
            event = {"date": f"{at}+00:00", "eventType": code, "eventDescription": description,
                     "scanLocation": {"city": city, "countryCode": country}}
        else:
            event = {"date": day, "time": clock, "typeCode": code, "description": description,
                     "serviceArea": [{"code": city[:3].upper(), "description": f"{city}-{country}"}]}
        shipment.events.append(event)

    # -- answers ---------------------------------------------------------------------------------------

    def next_tracking(self, carrier: str) -> str:
        self._serial += 1
        if carrier == "ups":
            return make_ups1z("A1B2C3", "65", self._serial)
        if carrier == "fedex":
            return make_fedex12(self._serial)
        return f"{4000000000 + self._serial}"

    def handle(self, method: str, path: str, headers, body: bytes) -> tuple[int, dict | None]:
        carrier, _, rest = path.lstrip("/").partition("/")
        rest = "/" + rest
        self.requests.append((method, path, headers.get("Authorization", "")))
        with self._lock:
            for fragment, answers in self.next_answers.items():
                if fragment in path and answers:
                    return answers.pop(0)
        handler = {"ups": self._ups, "fedex": self._fedex, "mydhl": self._mydhl}.get(carrier)
        if handler is None:
            return 404, {"error": "no such carrier"}
        return handler(method, rest, headers, body)

    def _ups(self, method, path, headers, body):
        if path == "/security/v1/oauth/token":
            if headers.get("Authorization") != f"Basic {BASIC_UPS}":
                return 401, {"response": {"errors": [{"code": "10401", "message": "ClientId is Invalid"}]}}
            return 200, {"token_type": "Bearer", "issued_at": str(int(time.time() * 1000)),
                         "client_id": "ups-client", "access_token": "ups-token", "expires_in": "14399",
                         "status": "approved"}
        if headers.get("Authorization") != "Bearer ups-token":
            return 401, {"response": {"errors": [{"code": "250002", "message": "Invalid Authentication Information."}]}}
        if path.startswith("/api/rating/"):
            amount, currency = self.prices["ups"]
            charge = {"CurrencyCode": currency, "MonetaryValue": amount}
            return 200, {"RateResponse": {
                "Response": {"ResponseStatus": {"Code": "1", "Description": "Success"}},
                "RatedShipment": [{"Service": {"Code": "65", "Description": ""},
                                   "BillingWeight": {"UnitOfMeasurement": {"Code": "KGS"}, "Weight": "1.0"},
                                   "TransportationCharges": charge, "BaseServiceCharge": charge,
                                   "ServiceOptionsCharges": {"CurrencyCode": currency, "MonetaryValue": "0.00"},
                                   "TotalCharges": charge, "ItemizedCharges": []}]}}
        if path.startswith("/api/shipments/") and path.endswith("/ship"):
            request = json.loads(body)
            shipment = request["ShipmentRequest"]["Shipment"]
            number = self.next_tracking("ups")
            reference = request["ShipmentRequest"]["Request"]["TransactionReference"]["CustomerContext"]
            self.shipments[number] = Shipment("ups", number, shipment["Service"]["Code"], reference, request)
            packages = shipment["Package"] if isinstance(shipment["Package"], list) else [shipment["Package"]]
            return 200, {"ShipmentResponse": {
                "Response": {"ResponseStatus": {"Code": "1", "Description": "Success"}},
                "ShipmentResults": {
                    "ShipmentIdentificationNumber": number,
                    "PackageResults": [{"TrackingNumber": number if i == 0 else f"{number[:-1]}{i}",
                                        "ShippingLabel": {"ImageFormat": {"Code": "PNG"}, "GraphicImage": _png()}}
                                       for i, _ in enumerate(packages)],
                    "Form": {"Code": "01", "Description": "Invoice",
                             "Image": {"ImageFormat": {"Code": "PDF"}, "GraphicImage": _pdf()}}}}}
        if "/void/cancel/" in path:
            number = path.rsplit("/", 1)[-1]
            if number not in self.shipments:
                return 400, {"response": {"errors": [{"code": "190117", "message": "No shipment found"}]}}
            self.shipments[number].cancelled = True
            return 200, {"VoidShipmentResponse": {"Response": {"ResponseStatus": {"Code": "1", "Description": "Success"}},
                                                  "SummaryResult": {"Status": {"Code": "1", "Description": "Voided"}}}}
        if path.startswith("/api/track/v1/details/"):
            number = path.split("/")[-1].split("?")[0]
            shipment = self.shipments.get(number)
            if shipment is None:
                return 200, {"trackResponse": {"shipment": [{"warnings": [
                    {"code": "TW0001", "message": "Tracking Information Not Found"}]}]}}
            return 200, {"trackResponse": {"shipment": [{"inquiryNumber": number, "package": [{
                "trackingNumber": number, "activity": list(reversed(shipment.events)),
                "currentStatus": (shipment.events[-1]["status"] if shipment.events else {"code": "MP", "type": "M"}),
                "service": {"code": "065", "description": "UPS Worldwide Saver"}}]}]}}
        return 404, {"response": {"errors": [{"code": "404", "message": f"no route {path}"}]}}

    def _fedex(self, method, path, headers, body):
        if path == "/oauth/token":
            form = urllib.parse.parse_qs(body.decode())
            if form.get("client_id") != ["fedex-key"] or form.get("client_secret") != ["fedex-secret"]:
                return 401, {"errors": [{"code": "NOT.AUTHORIZED.ERROR", "message": "The given client credentials "
                                                                                   "were not valid."}]}
            return 200, {"access_token": "fedex-token", "token_type": "bearer", "expires_in": 3599, "scope": "CXS"}
        if headers.get("Authorization") != "Bearer fedex-token":
            return 401, {"errors": [{"code": "NOT.AUTHORIZED.ERROR", "message": "Access token expired."}]}
        if path == "/rate/v1/rates/quotes":
            amount, currency = self.prices["fedex"]
            return 200, {"transactionId": "t-1", "output": {"rateReplyDetails": [{
                "serviceType": "FEDEX_INTERNATIONAL_PRIORITY", "serviceName": "FedEx International Priority",
                "ratedShipmentDetails": [{"rateType": "ACCOUNT", "totalNetCharge": float(amount),
                                          "totalBaseCharge": float(amount), "currency": currency,
                                          "shipmentRateDetail": {"surCharges": [], "taxes": []}}],
                "operationalDetail": {}}]}}
        if path == "/ship/v1/shipments":
            request = json.loads(body)
            shipment = request["requestedShipment"]
            number = self.next_tracking("fedex")
            reference = next((r.get("value") for p in shipment.get("requestedPackageLineItems", [])
                              for r in p.get("customerReferences", []) or []), "")
            self.shipments[number] = Shipment("fedex", number, shipment["serviceType"], reference, request)
            return 200, {"transactionId": "t-2", "output": {"transactionShipments": [{
                "masterTrackingNumber": number, "serviceType": shipment["serviceType"],
                "shipDatestamp": "2026-12-06", "serviceName": "FedEx International Priority",
                "pieceResponses": [{"trackingNumber": number, "trackingIdType": "FEDEX", "serviceCategory": "EXPRESS",
                                    "packageDocuments": [{"contentType": "LABEL", "copiesToPrint": 1,
                                                          "encodedLabel": _pdf(), "docType": "PDF"}]}],
                "shipmentDocuments": [{"contentType": "COMMERCIAL_INVOICE", "copiesToPrint": 1,
                                       "encodedLabel": _pdf(), "docType": "PDF"}]}]}}
        if path == "/ship/v1/shipments/cancel":
            number = json.loads(body).get("trackingNumber")
            if number not in self.shipments:
                return 400, {"errors": [{"code": "TRACKING.TRACKINGNUMBER.NOTFOUND", "message": "Tracking number "
                                                                                               "not found."}]}
            self.shipments[number].cancelled = True
            return 200, {"transactionId": "t-3", "output": {"cancelledShipment": True, "message": "Shipment cancelled"}}
        if path == "/track/v1/trackingnumbers":
            numbers = [t["trackingNumberInfo"]["trackingNumber"] for t in json.loads(body)["trackingInfo"]]
            results = []
            for number in numbers:
                shipment = self.shipments.get(number)
                if shipment is None:
                    results.append({"trackingNumber": number, "trackResults": [{
                        "trackingNumberInfo": {"trackingNumber": number},
                        "error": {"code": "TRACKING.TRACKINGNUMBER.NOTFOUND", "message": "Tracking number cannot "
                                                                                        "be found."}}]})
                    continue
                results.append({"trackingNumber": number, "trackResults": [{
                    "trackingNumberInfo": {"trackingNumber": number},
                    "scanEvents": list(reversed(shipment.events)),
                    "latestStatusDetail": {"code": shipment.events[-1]["eventType"] if shipment.events else "OC"}}]})
            return 200, {"transactionId": "t-4", "output": {"completeTrackResults": results}}
        return 404, {"errors": [{"code": "NOT.FOUND", "message": f"no route {path}"}]}

    def _mydhl(self, method, path, headers, body):
        if headers.get("Authorization") != f"Basic {BASIC_DHL}":
            return 401, {"instance": path, "detail": "Invalid Credentials", "title": "Unauthorized", "status": "401"}
        if path == "/rates":
            amount, currency = self.prices["mydhl"]
            return 200, {"products": [{"productName": "EXPRESS WORLDWIDE", "productCode": "P",
                                       "totalPrice": [{"currencyType": "BILLC", "priceCurrency": currency,
                                                       "price": float(amount)}],
                                       "deliveryCapabilities": {"totalTransitDays": 3}}]}
        if path == "/shipments":
            request = json.loads(body)
            number = self.next_tracking("mydhl")
            reference = next((r.get("value") for r in request.get("customerReferences", []) or []), "")
            self.shipments[number] = Shipment("mydhl", number, request.get("productCode", ""), reference, request)
            return 200, {"shipmentTrackingNumber": number,
                         "packages": [{"referenceNumber": 1, "trackingNumber": f"JD01{number}"}],
                         "documents": [{"imageFormat": "PDF", "content": _pdf(), "typeCode": "label"}]}
        if path.startswith("/tracking"):
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
            numbers = query.get("shipmentTrackingNumber", [])
            shipments = [{"shipmentTrackingNumber": n, "events": list(reversed(self.shipments[n].events))}
                         for n in numbers if n in self.shipments]
            if not shipments:
                return 404, {"instance": "/expressapi/tracking", "detail": "No shipments found", "title": "Not Found",
                             "status": "404"}
            return 200, {"shipments": shipments}
        return 404, {"instance": path, "detail": f"no route {path}", "title": "Not Found", "status": "404"}


def _ups_type(code: str) -> str:
    return {"MP": "M", "OR": "I", "DP": "I", "AR": "I", "OT": "I", "KB": "D", "D": "D"}.get(code, "X")


def _handler(fake: FakeCarriers):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            status, answer = fake.handle(self.command, self.path, self.headers, body)
            if answer is None:  # hang past the client's timeout
                time.sleep(fake.hang_seconds)
                status, answer = 504, {"message": "too late"}
            raw = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            try:
                self.wfile.write(raw)
            except (BrokenPipeError, ConnectionResetError):
                pass

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

    return Handler
