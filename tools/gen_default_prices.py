#!/usr/bin/env python3
"""Regenerates lsbilling's shipped price catalog from a dated LiteLLM snapshot.

    python3 tools/gen_default_prices.py [snapshot.json]

reads test/fixtures/catalogs/litellm-model-prices-<date>.json (a verbatim copy of
BerriAI/litellm's model_prices_and_context_window.json; source and date in
test/fixtures/README.md), keeps the providers lsbilling ships prices for, and
rewrites the generated block of sql/lsbilling--0.1.0--0.2.0.sql: one call of
lsbilling.import_prices_into() with those entries, idempotent (a second run adds
nothing).  The same importer is what a DBA runs to refresh (README "The catalog").
Numbers are copied as the JSON text they are (exact decimals, no float).
"""
import json
import os
import re
import sys
from collections import OrderedDict
from decimal import Decimal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DELTA = os.path.join(ROOT, "sql", "lsbilling--0.1.0--0.2.0.sql")
SHIPPED_PROVIDERS = {
    "openai", "azure", "anthropic", "gemini", "vertex_ai-language-models",
    "vertex_ai-anthropic_models", "bedrock_converse",
}
MODES = {"chat", "completion", "embedding", "responses"}
BEGIN = "-- >>> generated: shipped prices (tools/gen_default_prices.py; do not edit by hand)"
END = "-- <<< generated: shipped prices"


def shipped(key, v):
    if not isinstance(v, dict) or key == "sample_spec":
        return False
    if v.get("mode", "chat") not in MODES:
        return False
    if "input_cost_per_token" not in v and "output_cost_per_token" not in v:
        return False
    p = v.get("litellm_provider", "")
    return p in SHIPPED_PROVIDERS or (p == "bedrock" and "anthropic" in key)


def main():
    snap = sys.argv[1] if len(sys.argv) > 1 else max(
        os.path.join(ROOT, "test", "fixtures", "catalogs", f)
        for f in os.listdir(os.path.join(ROOT, "test", "fixtures", "catalogs"))
        if f.startswith("litellm-model-prices-"))
    date = re.search(r"(\d{4}-\d{2}-\d{2})", os.path.basename(snap)).group(1)
    # parse_float=Decimal keeps 3e-06 as the decimal it is
    cat = json.load(open(snap), object_pairs_hook=OrderedDict, parse_float=Decimal)
    keep = OrderedDict()
    for k in sorted(cat):
        v = cat[k]
        if shipped(k, v):
            keep[k] = OrderedDict((f, x) for f, x in v.items()
                                  if "cost" in f or f in ("litellm_provider", "mode"))

    # where Langfuse's catalog prices the same model name differently
    notes = []
    lf_dir = os.path.join(ROOT, "test", "fixtures", "catalogs")
    lf = [f for f in os.listdir(lf_dir) if f.startswith("langfuse-")]
    if lf:
        for e in json.load(open(os.path.join(lf_dir, max(lf))), parse_float=Decimal):
            ll = keep.get(e.get("modelName"))
            tiers = [t for t in e.get("pricingTiers", []) if t.get("isDefault")]
            if ll is None or not tiers:
                continue
            p = tiers[0]["prices"]
            for lk, fk in (("input_cost_per_token", "input"), ("output_cost_per_token", "output"),
                           ("cache_read_input_token_cost", "input_cache_read")):
                if lk in ll and fk in p and Decimal(ll[lk]) != Decimal(p[fk]):
                    notes.append("--   %s %s: LiteLLM %s, Langfuse %s $/token" % (e["modelName"], fk, ll[lk], p[fk]))

    def enc(o):
        if isinstance(o, Decimal):
            return str(o)
        raise TypeError(o)

    # one model a line, so that a refresh's diff shows what changed
    body = "{\n" + ",\n".join(json.dumps(k) + ":" + json.dumps(v, default=enc, separators=(",", ":"))
                                for k, v in keep.items()) + "\n}"
    # Decimal is emitted as a string by default=; turn those back into numbers
    body = re.sub(r'"(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"', r"\1", body)
    assert "$prices$" not in body
    lines = [
        BEGIN,
        "-- %d entries (providers: %s) from LiteLLM's model_prices_and_context_window.json"
        % (len(keep), ", ".join(sorted(SHIPPED_PROVIDERS)) + ", bedrock (anthropic)"),
        "-- as of %s (test/fixtures/catalogs/%s; source in test/fixtures/README.md)." % (date, os.path.basename(snap)),
        "-- LiteLLM is followed where Langfuse's catalog (test/fixtures/catalogs/langfuse-*) disagrees:",
        "-- it covers far more models, snapshots and provider ids, and one source keeps the shipped",
        "-- map consistent; the differences below were not resolved by hand.  On models both list",
        "-- by the same name:" if notes else "-- Langfuse agrees on every model both list by the same name.",
    ] + notes + [
        "SELECT * FROM lsbilling.import_prices_into($prices$" + body + "$prices$::jsonb,",
        "\t'litellm', '%s 00:00:00+00', NULL, true);" % date,
        END,
    ]
    sql = open(DELTA).read()
    block = "\n".join(lines)
    if BEGIN in sql:
        sql = re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda m: block, sql, flags=re.S)
    else:
        sql = sql.replace("-- <<< end section: real client traffic", block + "\n\n-- <<< end section: real client traffic")
    open(DELTA, "w").write(sql)
    print("%d shipped entries, %d disagreements noted" % (len(keep), len(notes)))


if __name__ == "__main__":
    main()
