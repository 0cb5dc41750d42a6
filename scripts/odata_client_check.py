"""The RESO Web API (/odata) from a client's side, against a running `realtyhub demo`.

    python odata_client_check.py DEMO_JSON [--other-tenant CLIENT_JSON] [--keep-going] [--verbose]

DEMO_JSON is the line `realtyhub demo --json` prints (hub_url, token); CLIENT_JSON what
`realtyhub clients create --json` printed for a client of another tenant (tenant isolation is
checked only when it is given). Two parts:

1. python-odata (0.8.1) reflects $metadata and runs filtered, selected, ordered, paged and
   expanded queries on Property, Member, Contacts and Media; every answer is compared field by
   field with the same records read from /v1 (the hub's own API, read whole before the queries),
   so the expected rows are computed here, not taken from the server under test.
2. Plain HTTP (requests) covers what python-odata never sends (docs/reso-web-api.md section 5):
   counts, next links, key fetches, the service document, both metadata formats, OData-Version,
   `in`, `tolower`, `not`, dates, offsets, lambdas, the error statuses and the EntityEvent feed.

Exit status 0 with one summary line when everything matched; 1 at the first mismatch (every
mismatch with --keep-going), each naming the request, what was expected and what came back.
--verbose prints each comparison with its row count.
"""

import datetime
import importlib.metadata
import json
import re
import sys
import traceback
import urllib.parse
import xml.etree.ElementTree as ET
from decimal import Decimal

import odata
import odata.exceptions
import requests
from odata import ODataService

# Small pages, so the queries python-odata runs without $top page through several next links.
PY_PAGE_SIZE = 7
EDMX = "{http://docs.oasis-open.org/odata/ns/edmx}"
EDM = "{http://docs.oasis-open.org/odata/ns/edm}"
TIMESTAMP_WIRE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
TIMESTAMP_ANY = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")
# The /v1 path of each entity set the check reads.
V1_PATHS = {"Property": "properties", "Member": "members", "Contacts": "contacts", "Media": "media"}
KEYS = {"Property": "ListingKey", "Member": "MemberKey", "Contacts": "ContactKey", "Media": "MediaKey"}


class Mismatch(Exception):
    """One check that did not hold; the message says request, expected and got."""


# ---- values ---------------------------------------------------------------------------------


def instant(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def same(expected, got):
    """Equal as JSON values: booleans only equal booleans, numbers by value, timestamps by instant."""
    if isinstance(expected, bool) or isinstance(got, bool):
        return type(expected) is type(got) and expected == got
    if isinstance(expected, (int, float)) and isinstance(got, (int, float)):
        return expected == got
    if isinstance(expected, str) and isinstance(got, str):
        if expected != got and TIMESTAMP_ANY.match(expected) and TIMESTAMP_ANY.match(got):
            return instant(expected) == instant(got)
        return expected == got
    if isinstance(expected, list) and isinstance(got, list):
        return len(expected) == len(got) and all(same(a, b) for a, b in zip(expected, got))
    if isinstance(expected, dict) and isinstance(got, dict):
        return expected.keys() == got.keys() and all(same(expected[k], got[k]) for k in expected)
    return expected == got


def short(value, limit=300):
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= limit else text[:limit] + "…"


def sort_key_value(value):
    # OData (and both stores) sort null before every value in ascending order.
    return (value is not None, value if value is not None else 0)


def ordered(rows, keys, key_field):
    """Rows in `$orderby` order: each key asc/desc, ties broken by the hub key ascending."""
    result = sorted(rows, key=lambda r: r[key_field])
    for field, descending in reversed(keys):
        result = sorted(result, key=lambda r: sort_key_value(r.get(field)), reverse=descending)
    return result


def cmp(field, op, literal):
    """A predicate for `field op literal` with OData's null rules (ordering against null is false)."""

    def test(row):
        value = row.get(field)
        if op == "eq":
            return same(literal, value) if literal is not None else value is None
        if op == "ne":
            return not same(literal, value) if literal is not None else value is not None
        if value is None or literal is None:
            return False
        a, b = value, literal
        if isinstance(a, str) and TIMESTAMP_ANY.match(a):
            a, b = instant(a), (instant(b) if isinstance(b, str) else b)
        return {"gt": a > b, "ge": a >= b, "lt": a < b, "le": a <= b}[op]

    return test


# ---- the check ------------------------------------------------------------------------------


class ODataClientCheck:
    def __init__(self, hub_url, token, keep_going):
        self.hub = hub_url.rstrip("/")
        self.root = self.hub + "/odata/"
        self.token = token
        self.keep_going = keep_going
        self.http = requests.Session()
        self.http.headers["Authorization"] = "Bearer " + token
        self.py_matched = 0
        self.http_passed = 0
        self.failures = []
        self.linked_listings = 0
        self.verbose = False
        self.client = None
        self.other_client = None

    # -- bookkeeping

    def fail(self, message):
        raise Mismatch(message)

    def run(self, label, part, function):
        """Runs one check; counts it, or records (and unless --keep-going, stops on) its failure."""
        try:
            function()
        except Mismatch as error:
            self.failures.append(f"{label}: {error}")
            print(f"odata-client: MISMATCH {label}: {error}", file=sys.stderr)
            if not self.keep_going:
                raise SystemExit(1)
            return
        except Exception as error:  # an exception is a failed check too (python-odata raises on HTTP errors)
            self.failures.append(f"{label}: {type(error).__name__}: {error}")
            print(f"odata-client: ERROR {label}: {type(error).__name__}: {error}", file=sys.stderr)
            if not isinstance(error, (odata.exceptions.ODataError, requests.RequestException)):
                traceback.print_exc(limit=3)
            if not self.keep_going:
                raise SystemExit(1)
            return
        if part == "py":
            self.py_matched += 1
        else:
            self.http_passed += 1

    # -- plain HTTP helpers

    def url(self, path, **params):
        """An /odata URL with its query percent-encoded the way python-odata does it (%20, %2B)."""
        query = urllib.parse.urlencode(params, quote_via=urllib.parse.quote, safe="$,()'/:")
        return self.root + path + ("?" + query if query else "")

    def get(self, url, headers=None, session=None, expect=200):
        response = (session or self.http).get(url, headers=headers or {}, timeout=60)
        if expect is not None and response.status_code != expect:
            self.fail(f"GET {url}: expected HTTP {expect}, got {response.status_code}: {response.text[:400]}")
        return response

    def get_json(self, url, headers=None, expect=200):
        response = self.get(url, headers=headers, expect=expect)
        content_type = response.headers.get("Content-Type", "")
        if "application/json" not in content_type:
            self.fail(f"GET {url}: expected an application/json answer, got Content-Type {content_type!r}")
        try:
            return response.json()
        except ValueError:
            self.fail(f"GET {url}: the body is not JSON: {response.text[:200]}")

    def collect(self, url, headers=None, page_size=None):
        """Follows @odata.nextLink to the end; returns (rows, pages). Checks each page's size."""
        rows, pages = [], []
        while url:
            page = self.get_json(url, headers=headers)
            if "value" not in page or not isinstance(page["value"], list):
                self.fail(f"GET {url}: expected a collection with 'value', got {short(page)}")
            pages.append(page)
            if page_size is not None and len(page["value"]) > page_size:
                self.fail(f"GET {url}: page of {len(page['value'])} rows, more than odata.maxpagesize={page_size}")
            rows += page["value"]
            url = page.get("@odata.nextLink")
            if len(pages) > 1000:
                self.fail("more than 1,000 pages: the next links do not end")
        return rows, pages

    def odata_error(self, url, status, headers=None, session=None):
        """Checks an OData error answer: the status, JSON body {error:{code,message}}, OData-Version."""
        response = self.get(url, headers=headers, session=session, expect=status)
        content_type = response.headers.get("Content-Type", "")
        if "application/json" not in content_type:
            self.fail(f"GET {url}: error {status} with Content-Type {content_type!r}, expected application/json")
        try:
            body = response.json()
        except ValueError:
            self.fail(f"GET {url}: error {status} body is not JSON: {response.text[:200]}")
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict) or not isinstance(error.get("code"), str) or not isinstance(error.get("message"), str):
            self.fail(f"GET {url}: expected an OData error body {{\"error\":{{\"code\",\"message\"}}}}, got {short(body)}")
        if not response.headers.get("OData-Version"):
            self.fail(f"GET {url}: error {status} without an OData-Version header")
        return response, error

    # -- /v1, the reference

    def v1_all(self, path):
        rows, page = [], 1
        while True:
            response = self.http.get(f"{self.hub}/v1/{path}", params={"per_page": 100, "page": page}, timeout=60)
            if response.status_code != 200:
                self.fail(f"GET /v1/{path}: HTTP {response.status_code}: {response.text[:300]}")
            body = response.json()
            rows += body["value"]
            if not body["value"] or len(rows) >= body["count"]:
                return rows
            page += 1

    def v1_events(self):
        events, after = [], 0
        while True:
            response = self.http.get(f"{self.hub}/v1/events", params={"after": after, "limit": 1000}, timeout=60)
            if response.status_code != 200:
                self.fail(f"GET /v1/events: HTTP {response.status_code}: {response.text[:300]}")
            batch = response.json()["events"]
            if not batch:
                return events
            events += batch
            after = batch[-1]["EntityEventSequence"]

    def load_reference(self):
        self.data = {name: self.v1_all(path) for name, path in V1_PATHS.items()}
        self.events = self.v1_events()
        self.by_key = {name: {r[KEYS[name]]: r for r in rows} for name, rows in self.data.items()}
        document = self.http.get(self.hub + "/openapi.json", timeout=60).json()
        # Every field /v1 can return for a resource: its list operation's `fields` enum (raw aside).
        self.v1_fields = {}
        for name, path in V1_PATHS.items():
            parameters = document["paths"][f"/v1/{path}"]["get"]["parameters"]
            enum = next(p["schema"]["items"]["enum"] for p in parameters if p["name"] == "fields")
            self.v1_fields[name] = set(enum) - {"raw"}
        if len(self.data["Property"]) < 2 * PY_PAGE_SIZE:
            self.fail(f"the demo holds only {len(self.data['Property'])} Property records; start it with more --records")

    # -- expected OData entities

    def load_metadata(self):
        """The declared properties of each entity set, from $metadata (the XML python-odata reads)."""
        response = self.get(self.root + "$metadata")
        self.metadata_xml = response.content
        tree = ET.fromstring(response.content)
        types = {}
        for schema in tree.iter(EDM + "Schema"):
            namespace = schema.get("Namespace")
            for entity_type in schema.findall(EDM + "EntityType"):
                properties = [(p.get("Name"), p.get("Type")) for p in entity_type.findall(EDM + "Property")]
                navigation = [(n.get("Name"), n.get("Type")) for n in entity_type.findall(EDM + "NavigationProperty")]
                keys = [k.get("Name") for k in entity_type.findall(f"{EDM}Key/{EDM}PropertyRef")]
                types[f"{namespace}.{entity_type.get('Name')}"] = (properties, navigation, keys)
        self.sets = {}
        for entity_set in tree.iter(EDM + "EntitySet"):
            if entity_set.get("EntityType") not in types:
                self.fail(f"$metadata: entity set {entity_set.get('Name')} names type {entity_set.get('EntityType')}, not declared")
            self.sets[entity_set.get("Name")] = types[entity_set.get("EntityType")]

    def properties(self, entity_set):
        return self.sets[entity_set][0]

    def expected(self, entity_set, record, select=None):
        """The OData entity for a /v1 record: every declared (or selected) property, null included."""
        result = {}
        for name, type_name in self.properties(entity_set):
            if select is not None and name not in select:
                continue
            value = record.get(name)
            if type_name.startswith("Collection(") and value is None:
                value = []
            result[name] = value
        return result

    def compare_entity(self, where, entity_set, expected_record, got, select=None, expanded=()):
        expected = self.expected(entity_set, expected_record, select)
        payload = {k: v for k, v in got.items() if not k.startswith("@") and k not in expanded}
        missing = expected.keys() - payload.keys()
        extra = payload.keys() - expected.keys()
        if missing or extra:
            self.fail(
                f"{where}: {entity_set} {expected_record[KEYS[entity_set]]}: properties missing {sorted(missing)}, "
                f"not expected {sorted(extra)}")
        for name, value in expected.items():
            if not same(value, payload[name]):
                self.fail(
                    f"{where}: {entity_set} {expected_record[KEYS[entity_set]]}.{name}: expected {short(value)} (from /v1), "
                    f"got {short(payload[name])}")
            if isinstance(payload[name], str) and TIMESTAMP_ANY.match(payload[name]) and not TIMESTAMP_WIRE.match(payload[name]):
                self.fail(f"{where}: {entity_set}.{name} = {payload[name]!r}: timestamps are written with milliseconds and Z (C75)")

    def compare_rows(self, where, entity_set, expected_rows, got_rows, select=None, expanded=()):
        if self.verbose:
            print(f"  {len(expected_rows):4d} rows  {where}")
        key = KEYS[entity_set]
        expected_keys = [r[key] for r in expected_rows]
        got_keys = [r.get(key) for r in got_rows] if select is None or key in select else None
        if len(got_rows) != len(expected_rows):
            self.fail(
                f"{where}: expected {len(expected_rows)} rows, got {len(got_rows)}"
                + (f"; missing {sorted(set(expected_keys) - set(got_keys))[:5]}, extra {sorted(set(got_keys) - set(expected_keys))[:5]}"
                   if got_keys is not None else ""))
        if got_keys is not None and got_keys != expected_keys:
            first = next(i for i, (a, b) in enumerate(zip(expected_keys, got_keys)) if a != b)
            self.fail(f"{where}: order differs at row {first}: expected {expected_keys[first]}, got {got_keys[first]}")
        for expected_row, got_row in zip(expected_rows, got_rows):
            self.compare_entity(where, entity_set, expected_row, got_row, select, expanded)

    def live(self, entity_set):
        return [r for r in self.data[entity_set] if not r.get("DeletedYN")]

    def media_of(self, resource, key):
        """A record's expanded Media: live, in Order (ties by MediaKey), as the design says (§2.3, Q13)."""
        rows = [m for m in self.live("Media") if m.get("ResourceName") == resource and m.get("ResourceRecordKey") == key]
        return ordered(rows, [("Order", False)], "MediaKey")

    def agent_of(self, record):
        """A listing's ListAgent as the hub links it: by hub key (ListAgentKey), or where the sync
        left that unset, the live Member of the same connection with the vendor key
        (SourceSystemListAgentKey), as /v1's expand=agent does."""
        members = self.live("Member")
        key = record.get("ListAgentKey")
        if key is not None:
            return next((m for m in members if m["MemberKey"] == key), None)
        vendor = record.get("SourceSystemListAgentKey")
        if vendor is None:
            return None
        return next(
            (m for m in members if m.get("ConnectionId") == record.get("ConnectionId") and m.get("SourceSystemMemberKey") == vendor),
            None)

    # ---- part 1: python-odata --------------------------------------------------------------

    def python_odata(self):
        session = requests.Session()
        session.headers["Authorization"] = "Bearer " + self.token
        session.headers["Prefer"] = f"odata.maxpagesize={PY_PAGE_SIZE}"
        self.py_requests = []
        session.hooks["response"].append(lambda response, *args, **kwargs: self.py_requests.append(response.url))
        try:
            service = ODataService(self.root, session=session, reflect_entities=True, quiet_progress=True)
        except Exception as error:  # reflection failing is the first thing to report, whatever it raised
            self.fail(f"python-odata could not load {self.root}$metadata: {type(error).__name__}: {error}")
        self.service = service
        E = service.entities

        def entity_classes():
            for name in ("Property", "Member", "Contacts", "Media"):
                if name not in E:
                    self.fail(f"python-odata: no entity set {name} in $metadata (sets: {sorted(E)})")
                cls = E[name]
                props = {p.name for p in (getattr(cls, a) for a in dir(cls)) if isinstance(p, odata.property.PropertyBase)}
                if props != self.v1_fields[name]:
                    self.fail(
                        f"python-odata: {name} has properties {sorted(props)}; /v1 serves {sorted(self.v1_fields[name])} "
                        f"(missing {sorted(self.v1_fields[name] - props)}, extra {sorted(props - self.v1_fields[name])})")
                key = [p.name for p in (getattr(cls, a) for a in dir(cls)) if isinstance(p, odata.property.PropertyBase) and p.primary_key]
                if key != [KEYS[name]]:
                    self.fail(f"python-odata: {name} key is {key}, expected [{KEYS[name]}]")
            for name, nav in (("Property", "ListAgent"), ("Property", "Media"), ("Member", "Media")):
                if not isinstance(getattr(E[name], nav, None), odata.navproperty.NavigationProperty):
                    self.fail(f"python-odata: {name}.{nav} is not a navigation property")
            types = {
                ("Property", "ListPrice"): odata.property.DecimalProperty,
                ("Property", "ModificationTimestamp"): odata.property.DatetimeProperty,
                ("Property", "BedroomsTotal"): odata.property.IntegerProperty,
                ("Property", "NewConstructionYN"): odata.property.BooleanProperty,
                ("Member", "MemberLanguages"): odata.property.StringProperty,
            }
            for (name, field), kind in types.items():
                if type(getattr(E[name], field)) is not kind:
                    self.fail(f"python-odata: {name}.{field} is a {type(getattr(E[name], field)).__name__}, expected {kind.__name__}")
            if not E["Member"].MemberLanguages.is_collection:
                self.fail("python-odata: Member.MemberLanguages is not a collection")

        self.run("py entity classes (Property, Member, Contacts, Media)", "py", entity_classes)

        P = E["Property"]
        props = self.live("Property")
        prices = sorted(p["ListPrice"] for p in props if p.get("ListPrice") is not None)
        median = prices[len(prices) // 2]
        cities = sorted({p["City"] for p in props if p.get("City")}, key=lambda c: (-sum(p.get("City") == c for p in props), c))
        city = cities[0]
        remarks_word = self.common_word([p.get("PublicRemarks") for p in props])
        address_prefix = self.common_prefix([p.get("UnparsedAddress") for p in props])
        timestamps = sorted({p["ModificationTimestamp"] for p in props})
        middle = instant(timestamps[len(timestamps) // 2])

        def run_query(label, query, predicate, order=(), select=None, pages_expected=True, expanded=(), check=None):
            def body():
                before = len(self.py_requests)
                rows = query.all()
                requests_made = len(self.py_requests) - before
                expected = ordered([p for p in props if predicate(p)], list(order), "ListingKey")
                got = [r if isinstance(r, dict) else r.__odata__.data for r in rows]
                self.compare_rows(f"python-odata {query}", "Property", expected, got, select, expanded)
                wanted_pages = max(1, -(-len(expected) // PY_PAGE_SIZE))
                if pages_expected and requests_made != wanted_pages:
                    self.fail(
                        f"python-odata {query}: {len(expected)} rows at {PY_PAGE_SIZE} a page took {requests_made} requests, "
                        f"expected {wanted_pages} (next links)")
                if check:
                    check(rows, expected)

            self.run("py " + label, "py", body)

        all_q = service.query(P)
        run_query("all Property, paged through next links", all_q, lambda p: True)
        run_query("ListPrice > median", all_q.filter(P.ListPrice > Decimal(str(median))), cmp("ListPrice", "gt", median))
        run_query("ListPrice > 1E+5 (exponent literal)", all_q.filter(P.ListPrice > Decimal("1E+5")), cmp("ListPrice", "gt", 100000))
        run_query(f"City == {city!r}", all_q.filter(P.City == city), cmp("City", "eq", city))
        run_query(
            f"contains(PublicRemarks, {remarks_word!r}) (case-sensitive)",
            all_q.filter(P.PublicRemarks.contains(remarks_word)),
            lambda p: p.get("PublicRemarks") is not None and remarks_word in p["PublicRemarks"])
        swapped = remarks_word.swapcase()
        run_query(
            f"contains(PublicRemarks, {swapped!r}) (case-sensitive)",
            all_q.filter(P.PublicRemarks.contains(swapped)),
            lambda p: p.get("PublicRemarks") is not None and swapped in p["PublicRemarks"])
        run_query(
            f"not contains(PublicRemarks, {remarks_word!r})",
            all_q.filter(P.PublicRemarks.lacks(remarks_word)),
            lambda p: p.get("PublicRemarks") is not None and remarks_word not in p["PublicRemarks"])
        run_query(
            f"startswith(UnparsedAddress, {address_prefix!r})",
            all_q.filter(P.UnparsedAddress.startswith(address_prefix)),
            lambda p: (p.get("UnparsedAddress") or "\0").startswith(address_prefix) and p.get("UnparsedAddress") is not None)
        run_query("endswith(City, 'e')", all_q.filter(P.City.endswith("e")), lambda p: (p.get("City") or "").endswith("e"))
        run_query("PropertySubType is null", all_q.filter(P.PropertySubType.is_null()), cmp("PropertySubType", "eq", None))
        run_query("PropertySubType not null", all_q.filter(P.PropertySubType.not_null()), cmp("PropertySubType", "ne", None))
        run_query(
            "BedroomsTotal >= 2 and ListPrice < median (two filters)",
            all_q.filter(P.BedroomsTotal >= 2).filter(P.ListPrice < Decimal(str(median))),
            lambda p: cmp("BedroomsTotal", "ge", 2)(p) and cmp("ListPrice", "lt", median)(p))
        run_query(
            f"City == {city!r} | BedroomsTotal == 0",
            all_q.filter((P.City == city) | (P.BedroomsTotal == 0)),
            lambda p: cmp("City", "eq", city)(p) or cmp("BedroomsTotal", "eq", 0)(p))
        run_query("NewConstructionYN == True", all_q.filter(P.NewConstructionYN == True), cmp("NewConstructionYN", "eq", True))  # noqa: E712
        offset = datetime.timezone(datetime.timedelta(hours=1))
        run_query(
            f"ModificationTimestamp >= {middle.astimezone(offset).isoformat()} (aware datetime, + offset)",
            all_q.filter(P.ModificationTimestamp >= middle.astimezone(offset)),
            lambda p: instant(p["ModificationTimestamp"]) >= middle)
        selected = ["ListingKey", "City", "ListPrice"]
        run_query(
            "select ListingKey, City, ListPrice",
            all_q.select(P.ListingKey, P.City, P.ListPrice),
            lambda p: True, select=set(selected))
        run_query(
            "order_by City asc, ListPrice desc",
            all_q.order_by(P.City.asc(), P.ListPrice.desc()),
            lambda p: True, order=[("City", False), ("ListPrice", True)])
        run_query(
            "order_by BedroomsTotal desc, ModificationTimestamp asc, filtered",
            all_q.filter(P.ListPrice > Decimal(str(prices[0]))).order_by(P.BedroomsTotal.desc(), P.ModificationTimestamp.asc()),
            cmp("ListPrice", "gt", prices[0]), order=[("BedroomsTotal", True), ("ModificationTimestamp", False)])

        def limited(limit, skip):
            def body():
                query = all_q.order_by(P.ListPrice.desc(), P.City.asc()).limit(limit).offset(skip)
                rows = [r.__odata__.data for r in query.all()]
                expected = ordered(props, [("ListPrice", True), ("City", False)], "ListingKey")[skip:skip + limit]
                self.compare_rows(f"python-odata {query}", "Property", expected, rows)

            return body

        self.run(f"py limit {PY_PAGE_SIZE - 2} offset 3", "py", limited(PY_PAGE_SIZE - 2, 3))
        self.run(f"py limit {PY_PAGE_SIZE} offset 0", "py", limited(PY_PAGE_SIZE, 0))

        def typed_values(rows, expected):
            # python-odata's own types: Decimal, aware datetime, int, bool.
            for row, record in zip(rows, expected):
                if record.get("ListPrice") is not None and row.ListPrice != Decimal(str(record["ListPrice"])):
                    self.fail(f"python-odata: {record['ListingKey']}.ListPrice reads {row.ListPrice!r}, expected {record['ListPrice']}")
                if row.ModificationTimestamp != instant(record["ModificationTimestamp"]):
                    self.fail(
                        f"python-odata: {record['ListingKey']}.ModificationTimestamp reads {row.ModificationTimestamp!r}, "
                        f"expected {record['ModificationTimestamp']}")

        run_query(f"typed values (City == {city!r})", all_q.filter(P.City == city), cmp("City", "eq", city), check=typed_values)

        def media_expanded(rows, expected):
            for row, record in zip(rows, expected):
                media = self.media_of("Property", record["ListingKey"])
                got = [m.__odata__.data for m in row.Media]
                self.compare_rows(f"python-odata expand(Media) of {record['ListingKey']}", "Media", media, got)

        run_query("expand(Media)", all_q.expand(P.Media), lambda p: True, expanded=("Media",), check=media_expanded)

        def agent_expanded(rows, expected):
            for row, record in zip(rows, expected):
                agent = self.agent_of(record)
                got = row.ListAgent
                if agent is None and got is not None or agent is not None and got is None:
                    self.fail(f"python-odata expand(ListAgent) of {record['ListingKey']}: expected {short(agent)}, got {got!r}")
                if agent is not None:
                    self.compare_entity(f"python-odata expand(ListAgent) of {record['ListingKey']}", "Member", agent, got.__odata__.data)

        # python-odata 0.8.1 cannot read an expanded null (it calls .get on None), so it expands
        # listings whose agent the hub links (by hub or vendor key), one by key each; the
        # plain-HTTP part checks the nulls.
        linked = [p for p in props if self.agent_of(p) is not None]
        self.linked_listings = len(linked)
        for record in linked[:5]:
            listing = record["ListingKey"]
            run_query(
                f"expand(ListAgent) of {listing}",
                all_q.filter(P.ListingKey == listing).expand(P.ListAgent),
                lambda p, listing=listing: p["ListingKey"] == listing, expanded=("ListAgent",), check=agent_expanded)

        def get_by_key():
            for record in (props[0], props[len(props) // 2], props[-1]):
                entity = all_q.get(record["ListingKey"])
                self.compare_entity(f"python-odata get({record['ListingKey']!r})", "Property", record, entity.__odata__.data)
            try:
                all_q.get("no-such-listing-key")
            except odata.exceptions.NoResultsFound:
                return
            self.fail("python-odata get('no-such-listing-key'): expected no result, got an entity")

        self.run("py get(key)", "py", get_by_key)

        def lazy_media():
            # A listing whose media order (Order) differs from their key order, when there is one.
            def telling(p):
                media = self.media_of("Property", p["ListingKey"])
                return (media != sorted(media, key=lambda m: m["MediaKey"]), len(media))

            record = max(props, key=telling)
            entity = all_q.get(record["ListingKey"])
            got = [m.__odata__.data for m in entity.Media]  # GET Property('key')/Media
            self.compare_rows(f"python-odata lazy Property('{record['ListingKey']}')/Media", "Media", self.media_of("Property", record["ListingKey"]), got)

        self.run("py navigation URL (lazy Media)", "py", lazy_media)

        def count():
            got = all_q.filter(P.City == city).count()
            expected = sum(1 for p in props if p.get("City") == city)
            if got != expected:
                self.fail(f"python-odata count() of City eq {city!r}: expected {expected}, got {got}")

        self.run("py count()", "py", count)

        # Member, Contacts, Media.
        M = E["Member"]
        member_rows = self.live("Member")
        statuses = sorted({m.get("MemberStatus") for m in member_rows if m.get("MemberStatus")})

        def other_set(entity_set, query, predicate, order=(), check=None):
            def body():
                rows = [r.__odata__.data for r in query.all()]
                expected = ordered([r for r in self.live(entity_set) if predicate(r)], list(order), KEYS[entity_set])
                self.compare_rows(f"python-odata {query}", entity_set, expected, rows)
                if check:
                    check(rows, expected)

            self.run(f"py {entity_set}: {query}", "py", body)

        status = statuses[0] if statuses else "Active"
        other_set("Member", service.query(M).filter(M.MemberStatus == status), cmp("MemberStatus", "eq", status))
        other_set(
            "Member", service.query(M).filter(M.MemberLastName.startswith("B")).order_by(M.MemberLastName.asc(), M.MemberFirstName.desc()),
            lambda m: (m.get("MemberLastName") or "").startswith("B"), order=[("MemberLastName", False), ("MemberFirstName", True)])

        members = {m["MemberKey"]: m for m in self.live("Member")}

        def member_media():
            query = service.query(M).expand(M.Media)
            for row in query.all():
                record = members[row.MemberKey]
                self.compare_entity(f"python-odata {query}", "Member", record, row.__odata__.data, expanded=("Media",))
                got = [m.__odata__.data for m in row.Media]
                self.compare_rows(f"python-odata {query} Media of {row.MemberKey}", "Media", self.media_of("Member", row.MemberKey), got)

        self.run("py Member expand(Media)", "py", member_media)
        C = E["Contacts"]
        other_set("Contacts", service.query(C).filter(C.Birthdate.not_null()), cmp("Birthdate", "ne", None))
        other_set(
            "Contacts", service.query(C).filter(C.LastName.startswith("H")).order_by(C.LastName.desc()),
            lambda c: (c.get("LastName") or "").startswith("H"), order=[("LastName", True)])
        D = E["Media"]
        other_set(
            "Media", service.query(D).filter(D.ResourceName == "Member").filter(D.MediaCategory == "Photo"),
            lambda m: m.get("ResourceName") == "Member" and m.get("MediaCategory") == "Photo")
        other_set("Media", service.query(D).filter(D.Order <= 1).order_by(D.Order.desc()), cmp("Order", "le", 1), order=[("Order", True)])

        def naive_refused():
            # Q9: python-odata writes a naive datetime without an offset, and Edm.Date as a quoted string.
            for query in (
                service.query(P).filter(P.ModificationTimestamp > datetime.datetime(2020, 1, 1)),
                service.query(C).filter(C.Birthdate == "1980-01-01"),
            ):
                try:
                    query.all()
                except odata.exceptions.ODataError as error:
                    if getattr(error, "status_code", "") != "HTTP 400":
                        self.fail(f"python-odata {query}: expected HTTP 400, got {error}")
                    continue
                self.fail(f"python-odata {query}: expected HTTP 400 (offset-less timestamp / quoted date, Q9), got rows")

        self.run("py offset-less timestamp and quoted date refused (400)", "http", naive_refused)

    # ---- helpers for picking literals from the data -----------------------------------------

    @staticmethod
    def common_word(texts):
        counts = {}
        for text in texts:
            for word in set(re.findall(r"[A-Za-z]{4,}", text or "")):
                counts[word] = counts.get(word, 0) + 1
        total = len([t for t in texts if t])
        # A word in some but not all texts, so the filter splits the set.
        candidates = sorted((abs(c - total / 2), w) for w, c in counts.items() if 0 < c < total)
        return candidates[0][1] if candidates else "the"

    @staticmethod
    def common_prefix(texts):
        counts = {}
        for text in texts:
            if text:
                counts[text[:4]] = counts.get(text[:4], 0) + 1
        return max(sorted(counts), key=lambda p: counts[p])

    # ---- part 2: plain HTTP ------------------------------------------------------------------

    def plain_http(self):
        props = self.live("Property")
        key = "ListingKey"
        by_key = ordered(props, [], key)
        city = max(sorted({p["City"] for p in props if p.get("City")}), key=lambda c: sum(p.get("City") == c for p in props))
        cities = sorted({p["City"] for p in props if p.get("City")})
        other_city = next(c for c in cities if c != city)
        prices = sorted(p["ListPrice"] for p in props if p.get("ListPrice") is not None)
        median = prices[len(prices) // 2]

        def collection(path, predicate, order=(), entity_set="Property", page_size=None, **params):
            headers = {"Prefer": f"odata.maxpagesize={page_size}"} if page_size else None
            rows, pages = self.collect(self.url(path, **params), headers=headers, page_size=page_size)
            expected = ordered([r for r in self.live(entity_set) if predicate(r)], list(order), KEYS[entity_set])
            self.compare_rows(f"GET {self.url(path, **params)}", entity_set, expected, rows)
            return rows, pages

        def count_and_top0():
            url = self.url("Property", **{"$count": "true", "$top": "0"})
            body = self.get_json(url)
            if body.get("@odata.count") != len(props) or body.get("value") != []:
                self.fail(f"GET {url}: expected @odata.count {len(props)} and value [], got count {body.get('@odata.count')!r}, {len(body.get('value', []))} rows")
            if "@odata.nextLink" in body:
                self.fail(f"GET {url}: $top=0 answered with a next link")

        self.run("C35/C36 $count=true&$top=0", "http", count_and_top0)

        def count_with_filter_paged():
            matching = [p for p in props if p.get("City") == city]
            url = self.url("Property", **{"$count": "true", "$filter": f"City eq '{city}'"})
            body = self.get_json(url, headers={"Prefer": "odata.maxpagesize=3"})
            if body.get("@odata.count") != len(matching):
                self.fail(f"GET {url}: expected @odata.count {len(matching)}, got {body.get('@odata.count')!r}")
            if len(body["value"]) != min(3, len(matching)) or (len(matching) > 3) != ("@odata.nextLink" in body):
                self.fail(f"GET {url} (maxpagesize 3): {len(body['value'])} rows, nextLink {body.get('@odata.nextLink')!r} for {len(matching)} matches")

        self.run("C35 @odata.count with $filter ignores the page", "http", count_with_filter_paged)

        def next_links():
            size = 25
            url = self.url("Property", **{"$orderby": "ListPrice desc"})
            rows, pages = self.collect(url, headers={"Prefer": f"odata.maxpagesize={size}"}, page_size=size)
            expected = ordered(props, [("ListPrice", True)], key)
            self.compare_rows(f"GET {url} following next links", "Property", expected, rows)
            wanted = -(-len(props) // size)
            if len(pages) != wanted:
                self.fail(f"GET {url}: {len(props)} rows at {size} a page came in {len(pages)} pages, expected {wanted}")
            for page in pages[:-1]:
                if len(page["value"]) != size or "@odata.nextLink" not in page:
                    self.fail(f"GET {url}: a page before the last has {len(page['value'])} rows and nextLink {page.get('@odata.nextLink')!r}")
            if "@odata.nextLink" in pages[-1]:
                self.fail(f"GET {url}: the last page still has a next link {pages[-1]['@odata.nextLink']}")
            link = pages[0]["@odata.nextLink"]
            if not link.startswith(self.root):
                self.fail(f"GET {url}: next link {link!r} is not an absolute URL under {self.root}")
            if "ListPrice" not in urllib.parse.unquote(link):
                self.fail(f"GET {url}: next link {link!r} dropped $orderby (C63)")
            response = self.get(url, headers={"Prefer": f"odata.maxpagesize={size}"})
            applied = response.headers.get("Preference-Applied", "")
            if f"odata.maxpagesize={size}" not in applied:
                self.fail(f"GET {url} with Prefer odata.maxpagesize={size}: Preference-Applied is {applied!r} (C66)")

        self.run("C62-C64/C66 next links present, absent on the last page, followed", "http", next_links)

        def top_beyond_page():
            size, top = 15, 40
            url = self.url("Property", **{"$top": str(top), "$orderby": "City,ListPrice desc"})
            rows, pages = self.collect(url, headers={"Prefer": f"odata.maxpagesize={size}"}, page_size=size)
            expected = ordered(props, [("City", False), ("ListPrice", True)], key)[:top]
            self.compare_rows(f"GET {url} (pages of {size})", "Property", expected, rows)
            wanted = -(-min(top, len(props)) // size)
            if len(pages) != wanted:
                self.fail(f"GET {url}: $top={top} at {size} a page came in {len(pages)} pages, expected {wanted}")
            url = self.url("Property", **{"$top": "5"})
            body = self.get_json(url, headers={"Prefer": f"odata.maxpagesize={size}"})
            if len(body["value"]) != 5 or "@odata.nextLink" in body:
                self.fail(f"GET {url}: expected 5 rows and no next link, got {len(body['value'])} and {body.get('@odata.nextLink')!r}")

        self.run("C65 $top larger than a page", "http", top_beyond_page)

        def default_page():
            # Without Prefer the page is 100 (Q10): the demo's Property set fits one page or pages at 100.
            url = self.url("Property")
            body = self.get_json(url)
            if len(body["value"]) != min(100, len(props)) or (len(props) > 100) != ("@odata.nextLink" in body):
                self.fail(f"GET {url}: {len(body['value'])} rows, nextLink {body.get('@odata.nextLink')!r} for {len(props)} records (page 100)")
            if body.get("@odata.context") != self.root + "$metadata#Property":
                self.fail(f"GET {url}: @odata.context {body.get('@odata.context')!r}, expected {self.root}$metadata#Property (C74)")
            content_type = self.get(url).headers.get("Content-Type", "")
            if not content_type.startswith("application/json") or "odata.metadata=minimal" not in content_type:
                self.fail(f"GET {url}: Content-Type {content_type!r}, expected application/json;odata.metadata=minimal (C73)")
            self.compare_rows(f"GET {url}", "Property", by_key[:100], body["value"])

        self.run("C73/C74 collection shape, context, content type", "http", default_page)

        def count_segment():
            for params, expected in (({}, len(props)), ({"$filter": f"City eq '{city}'"}, sum(p.get("City") == city for p in props))):
                url = self.url("Property/$count", **params)
                response = self.get(url)
                if not response.headers.get("Content-Type", "").startswith("text/plain") or response.text.strip() != str(expected):
                    self.fail(f"GET {url}: expected text/plain {expected}, got {response.headers.get('Content-Type')!r} {response.text[:100]!r}")

        self.run("C37 /$count as text/plain", "http", count_segment)

        def by_key_select():
            record = by_key[len(by_key) // 3]
            quoted = record[key].replace("'", "''")
            url = self.root + f"Property('{urllib.parse.quote(quoted)}')"
            body = self.get_json(url)
            if "value" in body:
                self.fail(f"GET {url}: an entity is written at the top level, got a 'value' array")
            if body.get("@odata.context", "").split("#")[-1] != "Property/$entity":
                self.fail(f"GET {url}: @odata.context {body.get('@odata.context')!r}, expected …$metadata#Property/$entity (C28)")
            self.compare_entity(f"GET {url}", "Property", record, body)
            url += "?" + urllib.parse.urlencode({"$select": "City,ListPrice"}, safe="$,")
            body = self.get_json(url)
            self.compare_entity(f"GET {url}", "Property", record, body, select={"City", "ListPrice"})
            self.odata_error(self.root + "Property('no-such-key')", 404)

        self.run("C28/C30/C31 Property('key') with $select; unknown key 404", "http", by_key_select)

        def select_context():
            url = self.url("Property", **{"$select": "ListingKey,City", "$top": "3"})
            body = self.get_json(url)
            context = body.get("@odata.context", "")
            if context != self.root + "$metadata#Property(ListingKey,City)":
                self.fail(f"GET {url}: @odata.context {context!r}, expected {self.root}$metadata#Property(ListingKey,City) (C74)")
            self.compare_rows(f"GET {url}", "Property", by_key[:3], body["value"], select={"ListingKey", "City"})

        self.run("C32/C74 $select shape and context", "http", select_context)

        def service_document():
            for url in (self.root, self.root.rstrip("/")):
                body = self.get_json(url)
                if body.get("@odata.context") != self.root + "$metadata":
                    self.fail(f"GET {url}: @odata.context {body.get('@odata.context')!r}, expected {self.root}$metadata (C27)")
                entries = {e.get("name"): e for e in body.get("value", [])}
                for name in self.sets:
                    entry = entries.get(name)
                    if not entry or entry.get("kind") != "EntitySet" or entry.get("url") != name:
                        self.fail(f"GET {url}: entity set {name} listed as {entry!r}, expected {{name, kind: EntitySet, url: {name}}}")
                if set(entries) != set(self.sets):
                    self.fail(f"GET {url}: lists {sorted(entries)}, $metadata declares {sorted(self.sets)}")

        self.run("C10/C27 service document", "http", service_document)

        def metadata_formats():
            for name in ("Property", "Member", "Office", "Teams", "TeamMembers", "Contacts", "Media", "EntityEvent", "Development", "Activity"):
                if name not in self.sets:
                    self.fail(f"GET {self.root}$metadata: no entity set {name} (sets: {sorted(self.sets)})")
            for entity_set, fields in self.v1_fields.items():
                declared = {n for n, _ in self.properties(entity_set)}
                if declared != fields:
                    self.fail(f"$metadata {entity_set}: missing {sorted(fields - declared)}, not in /v1 {sorted(declared - fields)}")
            default = self.get(self.root + "$metadata")
            if not default.headers.get("Content-Type", "").startswith("application/xml"):
                self.fail(f"GET {self.root}$metadata: Content-Type {default.headers.get('Content-Type')!r}, expected application/xml (C15)")
            xml = self.get(self.url("$metadata", **{"$format": "application/xml"}))
            if xml.content != default.content:
                self.fail("GET $metadata?$format=application/xml differs from GET $metadata (C16)")
            root = ET.fromstring(default.content)
            if root.tag != EDMX + "Edmx" or root.get("Version") != "4.0":
                self.fail(f"$metadata: root element {root.tag} Version {root.get('Version')!r}, expected edmx:Edmx Version 4.0")
            if root.findall(f".//{EDM}EnumType"):
                self.fail("$metadata declares an EnumType (string lookups only, §4)")
            for accept, url in (({}, self.url("$metadata", **{"$format": "application/json"})), ({"Accept": "application/json"}, self.root + "$metadata")):
                body = self.get_json(url, headers=accept)
                if body.get("$Version") != "4.01":
                    self.fail(f"GET {url} {accept}: JSON CSDL $Version {body.get('$Version')!r}, expected 4.01 (C17)")
                schema = body.get("org.reso.metadata", {})
                json_props = {k for k, v in schema.get("Property", {}).items() if isinstance(v, dict) and v.get("$Kind", "Property") == "Property" and not k.startswith("$")}
                xml_props = {n for n, _ in self.properties("Property")}
                if json_props != xml_props:
                    self.fail(f"GET {url}: JSON CSDL Property has {sorted(json_props ^ xml_props)} unlike the XML")

        self.run("C15-C17 $metadata XML, $format=application/xml, JSON CSDL", "http", metadata_formats)

        def versions():
            url = self.url("Property", **{"$top": "1"})
            for headers, expected in (({}, "4.01"), ({"OData-Version": "4.0"}, "4.0"), ({"OData-MaxVersion": "4.0"}, "4.0"), ({"OData-Version": "4.01"}, "4.01")):
                got = self.get(url, headers=headers).headers.get("OData-Version")
                if got != expected:
                    self.fail(f"GET {url} with {headers or 'no version header'}: OData-Version {got!r}, expected {expected} (C3-C7, Q3)")
            for version in ("3.0", "5.0"):
                self.odata_error(url, 400, headers={"OData-Version": version})
            if not self.get(self.root + "$metadata").headers.get("OData-Version"):
                self.fail("GET $metadata: no OData-Version header (C3)")

        self.run("C3-C7 OData-Version", "http", versions)

        filters = [
            (f"City in ('{city}','{other_city}')", lambda p: p.get("City") in (city, other_city)),
            (f"tolower(City) eq '{city.lower()}'", lambda p: (p.get("City") or "").lower() == city.lower() and p.get("City") is not None),
            (f"not (City eq '{city}') and ListPrice gt {median}", lambda p: not cmp("City", "eq", city)(p) and cmp("ListPrice", "gt", median)(p)),
            (f"not (City eq '{city}' or BedroomsTotal eq 1)", lambda p: not (cmp("City", "eq", city)(p) or cmp("BedroomsTotal", "eq", 1)(p))),
            (f"ListPrice ge {prices[0]} and (City eq '{city}' or City eq '{other_city}')", lambda p: cmp("ListPrice", "ge", prices[0])(p) and p.get("City") in (city, other_city)),
            ("ListPrice gt -1 and BedroomsTotal ne null", lambda p: cmp("ListPrice", "gt", -1)(p) and p.get("BedroomsTotal") is not None),
            ("Media/any(m: m/MediaCategory eq 'Photo')", lambda p: any(m.get("MediaCategory") == "Photo" for m in self.media_of("Property", p[key]))),
            ("Media/any()", lambda p: bool(self.media_of("Property", p[key]))),
            ("not Media/any()", lambda p: not self.media_of("Property", p[key])),
            ("Media/all(m: m/Order ge 1)", lambda p: all(cmp("Order", "ge", 1)(m) for m in self.media_of("Property", p[key]))),
        ]
        for text, predicate in filters:
            self.run(f"$filter={text}", "http", lambda text=text, predicate=predicate: collection("Property", predicate, **{"$filter": text}))

        # Timestamps with numeric offsets sent as %2B; a raw '+' decodes as a space (Q21).
        timestamps = sorted({p["ModificationTimestamp"] for p in props})
        middle = instant(timestamps[len(timestamps) // 2])
        plus = middle.astimezone(datetime.timezone(datetime.timedelta(hours=2))).isoformat(timespec="milliseconds")
        minus = middle.astimezone(datetime.timezone(datetime.timedelta(hours=-9))).isoformat(timespec="milliseconds")

        def offsets():
            collection("Property", lambda p: instant(p["ModificationTimestamp"]) >= middle, **{"$filter": f"ModificationTimestamp ge {plus}"})
            collection("Property", lambda p: instant(p["ModificationTimestamp"]) < middle, **{"$filter": f"ModificationTimestamp lt {minus}"})
            collection("Property", lambda p: instant(p["ModificationTimestamp"]) == middle, **{"$filter": f"ModificationTimestamp eq {timestamps[len(timestamps) // 2]}"})
            if "%2B" not in self.url("Property", **{"$filter": plus}):
                self.fail("the check's own URL does not encode '+' as %2B")
            raw = self.root + "Property?$filter=" + urllib.parse.quote(f"ModificationTimestamp ge {plus}", safe="+:")
            self.odata_error(raw, 400)
            # As README's `curl -G --data-urlencode` sends it: spaces as '+', lowercase %2b and %27.
            earliest = instant(timestamps[0])
            early = earliest.astimezone(datetime.timezone(datetime.timedelta(hours=5, minutes=30))).isoformat(timespec="milliseconds")
            text = f"ModificationTimestamp ge {early} and City eq '{city}'"
            curl_style = self.root + "Property?$filter=" + re.sub(
                r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), urllib.parse.quote_plus(text, safe=""))
            rows, _ = self.collect(curl_style)
            expected = ordered([p for p in props if instant(p["ModificationTimestamp"]) >= earliest and p.get("City") == city], [], key)
            self.compare_rows(f"GET {curl_style}", "Property", expected, rows)

        self.run("C45/C14/Q21 timestamps with %2B and - offsets; raw '+' is 400", "http", offsets)

        def member_languages():
            members = self.live("Member")
            languages = sorted({l for m in members for l in (m.get("MemberLanguages") or [])})
            if not languages:
                self.fail("no Member in the demo data has MemberLanguages; the lambda check needs one")
            language = languages[0]
            collection("Member", lambda m: language in (m.get("MemberLanguages") or []), entity_set="Member",
                       **{"$filter": f"MemberLanguages/any(l: l eq '{language}')"})
            collection("Member", lambda m: all(l == language for l in (m.get("MemberLanguages") or [])), entity_set="Member",
                       **{"$filter": f"MemberLanguages/all(l: l eq '{language}')"})
            collection("Member", lambda m: any(m2.get("MediaCategory") == "Photo" for m2 in self.media_of("Member", m["MemberKey"])),
                       entity_set="Member", page_size=50, **{"$filter": "Media/any(x: x/MediaCategory eq 'Photo')"})

        self.run("C52/C58 any/all on MemberLanguages and Member Media", "http", member_languages)

        def dates():
            contacts = self.live("Contacts")
            births = sorted(c["Birthdate"] for c in contacts if c.get("Birthdate"))
            if not births:
                self.fail("no Contacts record has a Birthdate")
            pivot = births[len(births) // 2]
            for op in ("eq", "ne", "gt", "ge", "lt", "le"):
                collection("Contacts", cmp("Birthdate", op, pivot), entity_set="Contacts", page_size=100, **{"$filter": f"Birthdate {op} {pivot}"})
            self.odata_error(self.url("Contacts", **{"$filter": f"Birthdate eq '{pivot}'"}), 400)

        self.run("C44 date literals on Contacts/Birthdate (quoted date 400)", "http", dates)

        def expand_agent_nulls():
            url = self.url("Property", **{"$expand": "ListAgent,Media", "$top": "20"})
            body = self.get_json(url)
            for row, record in zip(body["value"], by_key[:20]):
                if "ListAgent" not in row or "Media" not in row:
                    self.fail(f"GET {url}: {record[key]} lacks the expanded ListAgent or Media")
                agent = self.agent_of(record)
                if agent is None and row["ListAgent"] is not None:
                    self.fail(f"GET {url}: {record[key]} has no linked agent, expanded ListAgent is {short(row['ListAgent'])}")
                if agent is not None:
                    self.compare_entity(f"GET {url} ListAgent", "Member", agent, row["ListAgent"] or {})
                self.compare_rows(f"GET {url} Media of {record[key]}", "Media", self.media_of("Property", record[key]), row["Media"])
            self.compare_rows(f"GET {url}", "Property", by_key[:20], body["value"], expanded=("ListAgent", "Media"))

        self.run("C68/C69 $expand=ListAgent,Media (null agents included)", "http", expand_agent_nulls)

        def not_supported(url):
            # Issue 18 asks for a 4xx for every unsupported query (OData would say 501): 400 with its own code.
            _, error = self.odata_error(url, 400)
            if error.get("code") != "not_supported":
                self.fail(f"GET {url}: expected error code not_supported, got {error.get('code')!r}")

        self.run("C81 $search is 400 not_supported", "http", lambda: not_supported(self.url("Property", **{"$search": "pool"})))
        self.run("C81/C49 has is 400 not_supported", "http", lambda: not_supported(self.url("Property", **{"$filter": f"City has '{city}'"})))

        def bad_requests():
            for params, target in (
                ({"$filter": "BadField eq 'SoBad'"}, "$filter"),
                ({"$filter": f"city eq '{city}'"}, "$filter"),
                ({"$orderby": "NoSuchField desc"}, "$orderby"),
                ({"$select": "ListingKey,Nope"}, "$select"),
                ({"$top": "-1"}, "$top"),
                ({"$filter": "ListPrice gt"}, "$filter"),
                # `not` binds tighter than `eq` (C47): `not City` is not a condition.
                ({"$filter": f"not City eq '{city}'"}, "$filter"),
            ):
                url = self.url("Property", **params)
                _, error = self.odata_error(url, 400)
                if error.get("target") not in (None, target) and not str(error.get("target", "")).startswith(target):
                    self.fail(f"GET {url}: error target {error.get('target')!r}, expected {target}")
            self.odata_error(self.root + "ResourceNotFound", 404)
            self.odata_error(self.url("Property", **{"$format": "xml"}), 406)

        self.run("C79/C80/C13/C76 400 unknown field (wrong case too), 404 unknown set, 406", "http", bad_requests)

        def auth():
            anonymous = requests.Session()
            for url in (self.url("Property"), self.root + "$metadata", self.root):
                response, _ = self.odata_error(url, 401, session=anonymous)
                if not response.headers.get("WWW-Authenticate", "").startswith("Bearer"):
                    self.fail(f"GET {url} without a token: WWW-Authenticate {response.headers.get('WWW-Authenticate')!r}")
            forged = requests.Session()
            forged.headers["Authorization"] = "Bearer rh1.not-a-token"
            self.odata_error(self.url("Property"), 401, session=forged)

        self.run("C84/C85 401 without or with a bad token", "http", auth)

        def missing_scope():
            # A token of the demo's client narrowed to contacts:read (the /oauth/token scope parameter).
            if not self.client:
                self.fail("the demo's JSON has no client_id/client_secret for a narrowed token")
            response = requests.post(
                self.hub + "/oauth/token", auth=self.client, data={"grant_type": "client_credentials", "scope": "contacts:read"}, timeout=60)
            if response.status_code != 200:
                self.fail(f"POST /oauth/token scope=contacts:read: HTTP {response.status_code}: {response.text[:200]}")
            narrow = requests.Session()
            narrow.headers["Authorization"] = "Bearer " + response.json()["access_token"]
            self.odata_error(self.url("Property"), 403, session=narrow)
            self.odata_error(self.url("Contacts", **{"$expand": "OwnerMember"}), 403, session=narrow)
            if self.get(self.url("Contacts", **{"$top": "1"}), session=narrow).status_code != 200:
                self.fail("contacts:read token cannot read Contacts")

        self.run("C86/C87 403 for a set or an expansion outside the token's scopes", "http", missing_scope)

        def tenant_isolation():
            response = requests.post(
                self.hub + "/oauth/token", auth=self.other_client, data={"grant_type": "client_credentials"}, timeout=60)
            if response.status_code != 200:
                self.fail(f"POST /oauth/token for the second tenant: HTTP {response.status_code}: {response.text[:200]}")
            other = requests.Session()
            other.headers["Authorization"] = "Bearer " + response.json()["access_token"]
            record = by_key[0]
            for path, params in (("Property", {"$count": "true"}), ("Media", {"$count": "true"}), ("EntityEvent", {}),
                                 ("Property", {"$filter": f"ListingKey eq '{record[key]}'"})):
                url = self.url(path, **params)
                body = self.get(url, session=other).json()
                if body.get("value") != [] or body.get("@odata.count", 0) != 0:
                    self.fail(f"GET {url} as another tenant: expected nothing, got {short(body)}")
            self.odata_error(self.root + f"Property('{record[key]}')", 404, session=other)
            if self.get(self.root + "Property/$count", session=other).text.strip() != "0":
                self.fail("GET Property/$count as another tenant is not 0")

        if self.other_client:
            self.run("C88 another tenant sees none of the demo's records", "http", tenant_isolation)

        def omit_nulls():
            url = self.url("Property", **{"$filter": "PropertySubType eq null", "$top": "3"})
            response = self.get(url, headers={"Prefer": "omit-values=nulls"})
            if "omit-values=nulls" not in response.headers.get("Preference-Applied", ""):
                self.fail(f"GET {url} with Prefer omit-values=nulls: Preference-Applied {response.headers.get('Preference-Applied')!r} (C8)")
            for row in response.json()["value"]:
                nulls = [k for k, v in row.items() if v is None]
                if nulls:
                    self.fail(f"GET {url} with omit-values=nulls: {row.get(key)} still writes {nulls}")

        self.run("C8 Prefer omit-values=nulls", "http", omit_nulls)

        def read_only():
            response = self.http.post(self.root + "Property", json={}, timeout=60)
            if response.status_code != 405:
                self.fail(f"POST {self.root}Property: expected 405 (read-only service), got {response.status_code}")

        self.run("read-only: POST is 405", "http", read_only)

        def entity_events():
            if len(self.events) < 10:
                self.fail(f"/v1/events holds {len(self.events)} events; expected the demo's sync to have written many")
            last_known = self.events[-1]["EntityEventSequence"]
            start = self.events[len(self.events) // 3]["EntityEventSequence"]
            url = self.url("EntityEvent", **{"$filter": f"EntityEventSequence gt {start}"})
            rows, pages = self.collect(url, headers={"Prefer": "odata.maxpagesize=50"}, page_size=50)
            rows = [r for r in rows if r.get("EntityEventSequence", 0) <= last_known]
            # Hub-internal events (not a served resource) never reach the OData feed (C92).
            expected = [e for e in self.events if e["EntityEventSequence"] > start and e["ResourceName"] in self.sets]
            if len(pages) < 2:
                self.fail(f"GET {url}: {len(rows)} events at 50 a page came in one page")
            got_sequences = [r.get("EntityEventSequence") for r in rows]
            wanted = [e["EntityEventSequence"] for e in expected]
            if got_sequences != wanted:
                missing = sorted(set(wanted) - set(got_sequences))[:5]
                extra = sorted(set(got_sequences) - set(wanted))[:5]
                self.fail(f"GET {url}: sequences differ from /v1/events (missing {missing}, extra {extra}, {len(got_sequences)} vs {len(wanted)})")
            for row, event in zip(rows, expected):
                for field in ("ResourceName", "ResourceRecordKey", "EventType", "ConnectionId", "ModificationTimestamp"):
                    if not same(event.get(field), row.get(field)):
                        self.fail(f"GET {url}: event {event['EntityEventSequence']}.{field}: expected {event.get(field)!r}, got {row.get(field)!r}")
                record_url = self.root + f"{event['ResourceName']}('{event['ResourceRecordKey']}')"
                if row.get("ResourceRecordUrl") != record_url:
                    self.fail(f"GET {url}: event {event['EntityEventSequence']}.ResourceRecordUrl {row.get('ResourceRecordUrl')!r}, expected {record_url}")
            if rows and rows[-1].get("EntityEventSequence") != wanted[-1]:
                self.fail(f"GET {url}: the feed read to the end stops at {rows[-1].get('EntityEventSequence')}, /v1 at {wanted[-1]}")
            # $top with the (only) order, ascending: the first event after N.
            first = self.get_json(self.url("EntityEvent", **{"$filter": f"EntityEventSequence gt {start}", "$orderby": "EntityEventSequence", "$top": "1"}))
            if [r.get("EntityEventSequence") for r in first["value"]] != wanted[:1]:
                self.fail(f"EntityEvent gt {start}, $top=1: got {short(first['value'])}, expected sequence {wanted[:1]}")
            # A record an event names is fetched by its URL (C96/C97).
            event = next((e for e in reversed(self.events) if e["ResourceName"] == "Property" and e["ResourceRecordKey"] in self.by_key["Property"]), None)
            if event is None:
                self.fail("/v1/events names no Property record the check read")
            self.compare_entity(f"GET ResourceRecordUrl of event {event['EntityEventSequence']}", "Property",
                                self.by_key["Property"][event["ResourceRecordKey"]],
                                self.get_json(self.root + f"Property('{event['ResourceRecordKey']}')"))

        self.run("C89-C97 EntityEvent paged to the end with EntityEventSequence gt N", "http", entity_events)

    # ---- driver ------------------------------------------------------------------------------

    def main(self):
        try:
            self.load_reference()
            self.load_metadata()
        except Mismatch as error:
            print(f"odata-client: {error}", file=sys.stderr)
            raise SystemExit(1)
        events_before = self.events[-1]["EntityEventSequence"] if self.events else 0
        try:
            self.python_odata()
        except Mismatch as error:  # reflection itself failed: nothing else on the python-odata side can run
            self.failures.append(str(error))
            print(f"odata-client: MISMATCH {error}", file=sys.stderr)
            if not self.keep_going:
                raise SystemExit(1)
        self.plain_http()
        after = self.v1_events()
        if after and after[-1]["EntityEventSequence"] != events_before:
            print(
                f"odata-client: note: the hub's data changed during the check (events {events_before} -> "
                f"{after[-1]['EntityEventSequence']}); a mismatch may come from that", file=sys.stderr)
        if self.failures:
            print(
                f"odata-client: python-odata: {self.py_matched} queries matched /v1; plain HTTP: {self.http_passed} checks passed; "
                f"{len(self.failures)} checks failed:", file=sys.stderr)
            for failure in self.failures:
                print(f"  - {failure}", file=sys.stderr)
            raise SystemExit(1)
        if self.linked_listings == 0:
            print("odata-client: note: no Property in the demo links an agent (by hub or vendor key), so expand(ListAgent) saw only nulls")
        print(
            f"odata-client: python-odata {importlib.metadata.version('python-odata')}: {self.py_matched} queries matched /v1; "
            f"plain HTTP: {self.http_passed} checks passed")


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1]) as handle:
        demo = json.loads(handle.readline())
    check = ODataClientCheck(demo["hub_url"], demo["token"], keep_going="--keep-going" in argv[2:])
    check.client = (demo["client_id"], demo["client_secret"]) if demo.get("client_id") and demo.get("client_secret") else None
    check.verbose = "--verbose" in argv[2:]
    if "--other-tenant" in argv[2:]:
        with open(argv[argv.index("--other-tenant") + 1]) as handle:
            other = json.load(handle)
        check.other_client = (other["client_id"], other["client_secret"])
    check.main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
