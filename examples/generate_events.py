#!/usr/bin/env python3
"""Seeded event generator for the bundled example (examples/rules).

    generate_events.py [--events N] [--guests G] [--seed S] [--days D] [--output FILE]

Writes JSON Lines in Tally's event format (SPEC §1) for a B2B SaaS site: guests arrive over a
few days and come back in sessions (VIEWs seconds to minutes apart; gaps of more than 30 minutes
start a new session); some bounce, some read the blog and sign up for the newsletter, watch the
product demo (VIDEO progress events), view pricing and request a quote, go to checkout and buy a
plan. Exactly N events in total, spread over G guests (fewer guests when N < G), in
nondecreasing time order overall. The same arguments give byte-identical output. Standard
library only; the output is streamed.

Events (every one has type, guest, ts in epoch milliseconds, and page):
- VIEW: a page view; a session's landing VIEW may carry a nested "utm" object
  (source, medium, campaign);
- FORM: form = "newsletter" (on a blog post) or "pricing" (on /pricing, with company_size);
- VIDEO: the product demo on /demo, video = "product-demo", percent = 25, 50, 75 or 100;
- EXPOSURE: experiment = "checkout", variant = "control" or "one_page";
- CONFIRM: an order on /checkout with order_id, sku ("basic", "pro", "enterprise"), seats and
  revenue (USD).

Experiments the rules define:
- "checkout" (assign = "events"): a guest's first visit to /checkout is preceded by an EXPOSURE
  event. The variant comes from GrowthBook's hash (version 2, seed "checkout", 50/50), so it is
  stable per guest. "one_page" converts 20% better (relative) than "control" per checkout visit.
- "pricing_page_copy" (assign = "hash"): Tally assigns it; the generator computes the same
  GrowthBook hash (seed "pricing_page_copy", three equal variants, traffic 0.9) only to make
  "value_first" request pricing more often. It emits no EXPOSURE for it.
"""

import argparse
import calendar
import heapq
import os
import random
import sys

START_MS = calendar.timegm((2026, 11, 2, 0, 0, 0)) * 1000  # Monday 2 November 2026, 00:00 UTC
MINUTE = 60_000
HOUR = 60 * MINUTE
DAY = 24 * HOUR

BLOG_POSTS = ["/blog/what-is-engagement-value", "/blog/ab-testing-pitfalls", "/blog/sample-size",
              "/blog/lead-scoring-101", "/blog/release-notes"]
DOCS = ["/docs/getting-started", "/docs/rules", "/docs/experiments", "/docs/api"]
PLANS = [  # sku, probability, price per seat, seat range
    ("basic", 0.55, 49, (1, 3)),
    ("pro", 0.35, 99, (2, 10)),
    ("enterprise", 0.10, 390, (10, 50)),
]
CAMPAIGNS = [  # the nested "utm" object of a session's landing VIEW
    ',"utm":{"source":"google","medium":"cpc","campaign":"brand"}',
    ',"utm":{"source":"linkedin","medium":"paid_social","campaign":"webinar"}',
    ',"utm":{"source":"newsletter","medium":"email","campaign":"november"}',
]
COMPANY_SIZES = ["1-10", "11-50", "51-200", "201-1000", "1000+"]

# Probability that a checkout visit ends in an order, by checkout variant.
CHECKOUT_CONVERSION = {"control": 0.25, "one_page": 0.30}
# Probability of a pricing request per /pricing view, by pricing_page_copy variant (None = not in).
PRICING_REQUEST = {None: 0.08, "control": 0.08, "value_first": 0.11, "social_proof": 0.09}
PRICING_VARIANTS = ["control", "value_first", "social_proof"]
PRICING_TRAFFIC = 0.9


def fnv1a32(text):
    """FNV-1a 32-bit over the characters of an ASCII string (GrowthBook's hash)."""
    h = 0x811C9DC5
    for ch in text.encode("ascii"):
        h = ((h ^ ch) * 0x01000193) & 0xFFFFFFFF
    return h


def gbhash(seed, value):
    """GrowthBook hash version 2: a bucket in [0, 1) with four decimals."""
    return (fnv1a32(str(fnv1a32(seed + value))) % 10000) / 10000


def checkout_variant(guest):
    """50/50 by GrowthBook's hash with seed "checkout"."""
    return "control" if gbhash("checkout", guest) < 0.5 else "one_page"


def pricing_variant(guest):
    """The variant Tally's assign = "hash" gives (three equal weights, traffic 0.9), or None."""
    n = gbhash("pricing_page_copy", guest)
    weight = 1 / len(PRICING_VARIANTS)
    cumulative = 0.0
    for name in PRICING_VARIANTS:  # GrowthBook's getBucketRanges and chooseVariation
        start = cumulative
        cumulative += weight
        if start <= n < start + PRICING_TRAFFIC * weight:
            return name
    return None


def journey(rng, guest, t):
    """A guest's endless stream of (ts, json_line); the caller stops it at the guest's budget."""
    rand = rng.random
    intent = rand()                      # 0 = just browsing … 1 = ready to buy
    checkout_var = None                  # the checkout variant, once exposed
    pricing_var = False                  # the pricing_page_copy variant (False = not computed)
    abandoned = False                    # reached checkout without buying
    purchased = False
    orders = 0
    head = '{"type":"%s","guest":"' + guest + '","ts":%d,"page":"%s"'

    def event(kind, page, fields=""):
        return t, head % (kind, t, page) + fields + "}\n"

    while True:
        # -- a new session: its landing page
        if abandoned and not purchased and rand() < 0.25:
            page = "/checkout"                               # back to finish the order
        else:
            r = rand()
            if r < 0.35:
                page = "/"
            elif r < 0.65:
                page = BLOG_POSTS[int(rand() * len(BLOG_POSTS))]
            elif r < 0.78:
                page = "/product"
            elif r < 0.88:
                page = "/pricing"
            else:
                page = DOCS[int(rand() * len(DOCS))]
        r = rand()
        campaign = CAMPAIGNS[int(r * 10)] if r < 0.3 else ""   # 30% of sessions come from a campaign
        first = True
        while page is not None:
            # -- one page: the exposure, the VIEW, what happens there, then the next page
            if page == "/checkout" and checkout_var is None:
                checkout_var = checkout_variant(guest)
                yield event("EXPOSURE", page, ',"experiment":"checkout","variant":"%s"' % checkout_var)
            if first and campaign:
                yield event("VIEW", page, campaign)
            else:
                yield event("VIEW", page)
            t += min(int(rng.lognormvariate(3.2, 0.8) * 1000), 20 * MINUTE) + 2000
            if first and rand() < 0.30 - 0.15 * intent:
                break                                        # bounce
            first = False
            nxt = None                                       # None: the session ends
            if page == "/checkout":
                if rand() < CHECKOUT_CONVERSION[checkout_var]:
                    sku, _, price, (low, high) = pick_plan(rand())
                    seats = low + int(rand() * (high - low + 1))
                    orders += 1
                    yield event("CONFIRM", page, ',"order_id":"%s-%d","sku":"%s","seats":%d,"revenue":%d' % (
                        guest[:8], orders, sku, seats, price * seats))
                    t += 1500 + int(rand() * 3000)
                    purchased, abandoned = True, False
                    nxt = "/thank-you"
                else:
                    abandoned = True
                    nxt = "/pricing" if rand() < 0.3 else None
            elif page == "/thank-you":
                nxt = "/docs/getting-started" if rand() < 0.4 else None
            elif page == "/pricing":
                if pricing_var is False:
                    pricing_var = pricing_variant(guest)
                if rand() < PRICING_REQUEST[pricing_var] * (0.5 + intent):
                    t += 20_000 + int(rand() * 60_000)
                    yield event("FORM", page, ',"form":"pricing","company_size":"%s"' % (
                        COMPANY_SIZES[int(rand() * len(COMPANY_SIZES))]))
                    t += 1000
                r = rand()
                if not purchased and r < 0.12 + 0.35 * intent:
                    nxt = "/checkout"
                elif r < 0.75:
                    nxt = ("/demo", "/product", "/customers", "/contact")[int(rand() * 4)]
            elif page == "/demo":
                percent = 0
                while percent < 100 and rand() < 0.8:
                    t += 25_000 + int(rand() * 10_000)
                    percent += 25
                    yield event("VIDEO", page, ',"video":"product-demo","percent":%d' % percent)
                r = rand()
                nxt = "/pricing" if r < 0.5 else ("/product" if r < 0.7 else None)
            elif page.startswith("/blog/"):
                if rand() < 0.06:
                    t += 10_000 + int(rand() * 30_000)
                    yield event("FORM", page, ',"form":"newsletter"')
                r = rand()
                if r < 0.4:
                    nxt = BLOG_POSTS[int(rand() * len(BLOG_POSTS))]
                elif r < 0.6:
                    nxt = "/product"
            elif page.startswith("/docs/"):
                r = rand()
                nxt = DOCS[int(rand() * len(DOCS))] if r < 0.55 else ("/pricing" if r < 0.65 else None)
            else:  # "/", "/product", "/customers", "/contact"
                r = rand()
                if r < 0.3:
                    nxt = "/pricing"
                elif r < 0.45:
                    nxt = "/demo"
                elif r < 0.65:
                    nxt = "/product" if page != "/product" else "/customers"
                elif r < 0.75:
                    nxt = BLOG_POSTS[int(rand() * len(BLOG_POSTS))]
            page = nxt
        # -- the session ended: come back later (more than 30 minutes)
        if rand() < 0.4:
            t += 31 * MINUTE + int(rand() * 8 * HOUR)
        else:
            t += DAY + int(rand() * 2 * DAY)


def pick_plan(r):
    """The plan for a uniform draw r."""
    for plan in PLANS:
        if r < plan[1]:
            return plan
        r -= plan[1]
    return PLANS[-1]


def budgets(rng, events, guests):
    """Events per guest, summing to exactly `events`: 1 each, the rest by skewed weights
    (about 40% of guests get no extra: one-page visitors)."""
    guests = min(guests, events)
    extra = events - guests
    weights = [0.0 if rng.random() < 0.4 else rng.expovariate(1.0) for _ in range(guests)]
    total = sum(weights)
    if total == 0:
        weights, total = [1.0] * guests, float(guests)
    shares = [extra * w / total for w in weights]
    counts = [1 + int(s) for s in shares]
    left = events - sum(counts)
    by_remainder = sorted(range(guests), key=lambda i: (int(shares[i]) - shares[i], i))
    for k in range(left):
        counts[by_remainder[k % guests]] += 1
    return counts


def generate(out, events, guests, seed, days):
    """Writes the events to the text stream `out`."""
    rng = random.Random(seed)
    counts = budgets(rng, events, guests)
    starts = []
    seen = set()
    for index in range(len(counts)):
        guest = "%016x" % rng.getrandbits(64)
        while guest in seen:
            guest = "%016x" % rng.getrandbits(64)
        seen.add(guest)
        hour = rng.gauss(14, 4) % 24
        start = START_MS + int(rng.random() * days) * DAY + int(hour * HOUR)
        starts.append((start, index, guest))
    starts.sort()

    heap = []  # (next ts, arrival index, line, journey, events left)
    buffer = []
    next_arrival = 0
    while True:
        if next_arrival < len(starts) and (not heap or starts[next_arrival][0] <= heap[0][0]):
            start, index, guest = starts[next_arrival]
            stream = journey(rng, guest, start)
            ts, line = next(stream)
            heapq.heappush(heap, (ts, next_arrival, line, stream, counts[index]))
            next_arrival += 1
            continue
        if not heap:
            break
        _, order, line, stream, left = heap[0]
        buffer.append(line)
        if len(buffer) >= 8192:
            out.write("".join(buffer))
            buffer.clear()
        if left == 1:
            heapq.heappop(heap)
        else:
            ts, line = next(stream)
            heapq.heapreplace(heap, (ts, order, line, stream, left - 1))
    out.write("".join(buffer))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=20_000, help="events in total (default 20000)")
    parser.add_argument("--guests", type=int, default=2_000, help="guests (default 2000)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--days", type=int, default=7, help="days over which guests arrive (default 7)")
    parser.add_argument("--output", help="output file (default: standard output)")
    args = parser.parse_args()
    if args.events < 0 or args.guests < 1 or args.days < 1:
        parser.error("--events must be >= 0, --guests and --days >= 1")
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="\n") as out:
            generate(out, args.events, args.guests, args.seed, args.days)
    else:
        try:
            generate(sys.stdout, args.events, args.guests, args.seed, args.days)
            sys.stdout.flush()
        except BrokenPipeError:  # e.g. piped into `head`
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


if __name__ == "__main__":
    main()
