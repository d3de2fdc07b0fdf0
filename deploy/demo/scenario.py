#!/usr/bin/env python3
"""The once-only scenario: a land-use-right transfer applied for with id numbers only.

    scenario.py --addresses STATE_DIR/addresses.json --case CASE_NUMBER --officer USER_ID

The provincial portal (VN/GOV/000900/portal) fetches, through its own gateway and the X-Road REST
protocol (r1), the seller's identity from the national population database, his parcels from the
land registry, the buyer's record from the enterprise registry and its legal representative's
identity; every call carries the case number (X-Road-Issue) and the officer (X-Road-UserId). It
tells what happens in plain words and prints the key facts of each answer. Exit status 1 when an
answer is not what the scenario expects.
"""

import argparse
import json
import sys
import textwrap
import urllib.error
import urllib.request

PORTAL = "VN/GOV/000900/portal"
PORTAL_GATEWAY = "VN/GOV/000900/gw1"
CITIZENS = "VN/GOV/000100/population/citizens"
PARCELS = "VN/GOV/000200/land/parcels"
ENTERPRISES = "VN/GOV/000300/enterprise/enterprises"

# What the applicant writes on the form: numbers only.
SELLER_ID = "001085012345"
MAP_SHEET, PARCEL_NUMBER, COMMUNE = 12, 245, "Xã Bát Tràng"
BUYER_TAX_CODE = "0109876543"


def say(text):
    """A step, in bold, as run-demo.sh prints its own."""
    wrapped = textwrap.fill(text, width=97, subsequent_indent="   ")
    print(f"\n\033[1m== {wrapped}\033[0m", flush=True)


def fact(text):
    print(textwrap.fill(text, width=100, initial_indent="   ", subsequent_indent="     ",
                        break_long_words=False, break_on_hyphens=False),
          flush=True)


class Portal:
    """The portal's information system, calling through its gateway."""

    def __init__(self, rest_endpoint, case, officer):
        self.rest, self.case, self.officer = rest_endpoint, case, officer

    def call(self, service, path):
        """GET `path` of `service`; returns (status, headers, JSON body)."""
        request = urllib.request.Request(
            f"http://{self.rest}/r1/{service}{path}",
            headers={"X-Road-Client": PORTAL, "X-Road-UserId": self.officer,
                     "X-Road-Issue": self.case, "Accept": "application/json"})
        fact(f"→ GET /r1/{service}{path}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, headers, body = response.status, response.headers, response.read()
        except urllib.error.HTTPError as e:
            status, headers, body = e.code, e.headers, e.read()
        return status, headers, json.loads(body.decode("utf-8"))

    def fetch(self, service, path):
        status, headers, body = self.call(service, path)
        if status != 200:
            sys.exit(f"scenario: {service}{path} answered {status}: {body}")
        fact(f"← 200, message {headers['X-Road-Id']}, signed by the provider and logged by both "
             f"gateways")
        return body


def date_vn(iso):
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"


def residence(place):
    return f"{place['address']}, {place['commune']}, {place['province']}"


def identity(portal, id_number, role):
    citizen = portal.fetch(CITIZENS, f"/citizens/{id_number}")
    fact(f"{role}: {citizen['full_name']}, {citizen['sex'].lower()}, born "
         f"{date_vn(citizen['date_of_birth'])}, id number {citizen['id_number']}")
    fact(f"permanent residence: {residence(citizen['permanent_residence'])}")
    return citizen


def last_backend_call(log_path):
    with open(log_path, encoding="utf-8") as f:
        return json.loads(f.read().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--addresses", required=True)
    parser.add_argument("--case", required=True)
    parser.add_argument("--officer", required=True)
    args = parser.parse_args()
    with open(args.addresses, encoding="utf-8") as f:
        addresses = json.load(f)
    portal = Portal(addresses["gateways"][PORTAL_GATEWAY]["rest"], args.case, args.officer)

    say("At the one-stop counter, a citizen applies to transfer the right to use a parcel to an "
        "enterprise. The form asks for numbers only:")
    fact(f"the seller's id number (CCCD): {SELLER_ID}")
    fact(f"the parcel: map sheet {MAP_SHEET}, parcel {PARCEL_NUMBER}, {COMMUNE}")
    fact(f"the buyer's tax code: {BUYER_TAX_CODE}")
    fact(f"The portal opens case {args.case}; officer {args.officer} handles it. Every call "
         f"below carries both.")

    say("1. Who is the seller? The portal asks the national population database.")
    seller = identity(portal, SELLER_ID, "seller")
    fact(f"marital status: {seller['marital_status']}")

    say("2. Does he hold the parcel? The portal asks the land registry for the parcels of this "
        "id number.")
    parcels = portal.fetch(PARCELS, f"/parcels?owner_id={SELLER_ID}")["items"]
    fact(f"the land registry lists {len(parcels)} parcel(s) for {SELLER_ID}")
    parcel = next((p for p in parcels if p["map_sheet"] == MAP_SHEET
                   and p["parcel_number"] == PARCEL_NUMBER
                   and p["location"]["commune"] == COMMUNE), None)
    if parcel is None:
        sys.exit("scenario: the parcel in the application is not the seller's")
    fact(f"map sheet {parcel['map_sheet']}, parcel {parcel['parcel_number']}: "
         f"{parcel['area_m2']} m², {parcel['land_use_purpose']}, {parcel['use_term'].lower()}")
    fact(f"at {residence(parcel['location'])}; certificate {parcel['certificate_number']}")
    fact("owners: " + "; ".join(f"{o['full_name']} ({o['id_number']})" for o in parcel["owners"]))
    fact("encumbrances: " + ("none" if not parcel["encumbrances"] else
                             "; ".join(e["kind"] for e in parcel["encumbrances"])))
    land_log = addresses["backends"][PARCELS]["log"]
    seen = last_backend_call(land_log)
    fact(f"the land registry's own system logged: client {seen['X-Road-Client']}, officer "
         f"{seen['X-Road-UserId']}, case {seen['X-Road-Issue']}")
    if seen["X-Road-Issue"] != args.case:
        sys.exit("scenario: the case number did not reach the land registry")

    co_owners = [o for o in parcel["owners"] if o["id_number"] != SELLER_ID]
    for owner in co_owners:
        say("3. The parcel is held jointly: the co-owner must sign the contract too. The portal "
            "checks her identity.")
        co_owner = identity(portal, owner["id_number"], "co-owner")
        if co_owner.get("spouse_id_number") == SELLER_ID:
            fact("she is the seller's spouse, as the population database records")

    say("4. Who is the buyer? The portal asks the enterprise registry for the tax code.")
    enterprise = portal.fetch(ENTERPRISES, f"/enterprises/{BUYER_TAX_CODE}")
    fact(f"{enterprise['name']} (tax code {enterprise['tax_code']}), "
         f"{enterprise['status'].lower()}")
    fact(f"head office: {residence(enterprise['head_office'])}")
    representative = enterprise["legal_representative"]
    fact(f"legal representative: {representative['title']} {representative['full_name']}, "
         f"id number {representative['id_number']}")

    say("5. Is the legal representative who the enterprise registry says? The portal checks his "
        "identity.")
    person = identity(portal, representative["id_number"], "legal representative")
    if person["full_name"] != representative["full_name"]:
        sys.exit("scenario: the two registries disagree on the legal representative's name")
    fact("the population database and the enterprise registry agree")

    say("6. Access rights are the provider's to give: the portal may look parcels up by owner, "
        "but not read a parcel by its internal id. The land registry's gateway refuses:")
    status, headers, body = portal.call(PARCELS, f"/parcels/{parcel['parcel_id']}")
    fact(f"← {status} {headers.get('X-Road-Error', '')}: {body.get('message', body)}")
    if status == 200:
        sys.exit("scenario: a call without an access right was answered")

    say(f"Case {args.case} is complete. The citizen wrote three numbers; the portal fetched the "
        "rest from the agencies that hold it, each answer signed by its agency, timestamped and "
        "logged with the case number on both sides. Nobody was asked for a paper copy.")


if __name__ == "__main__":
    main()
