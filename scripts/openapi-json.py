#!/usr/bin/python3
# openapi-json.py — turns openapi/<svc>.yaml into self-contained JSON for the /docs/ page:
# references into other files (components/common.yaml#/...) are inlined, internal ones kept.
import json
import os
import sys

import yaml


def resolve(node, base_dir, cache):
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#"):
            path, _, pointer = ref.partition("#")
            full = os.path.normpath(os.path.join(base_dir, path))
            if full not in cache:
                with open(full, encoding="utf-8") as f:
                    cache[full] = yaml.safe_load(f)
            target = cache[full]
            for part in [p for p in pointer.split("/") if p]:
                target = target[part.replace("~1", "/").replace("~0", "~")]
            return resolve(target, os.path.dirname(full), cache)
        return {k: resolve(v, base_dir, cache) for k, v in node.items()}
    if isinstance(node, list):
        return [resolve(v, base_dir, cache) for v in node]
    return node


def main():
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    names = []
    for name in sorted(os.listdir(src)):
        if not name.endswith(".yaml"):
            continue
        with open(os.path.join(src, name), encoding="utf-8") as f:
            spec = yaml.safe_load(f)
        spec = resolve(spec, src, {})
        svc = name[:-5]
        names.append(svc)
        with open(os.path.join(out, svc + ".json"), "w", encoding="utf-8") as f:
            json.dump(spec, f, ensure_ascii=False, indent=1)
    order = ["content", "account", "teleservices", "payment", "stats"]
    names.sort(key=lambda n: order.index(n) if n in order else len(order))
    with open(os.path.join(out, "index.json"), "w", encoding="utf-8") as f:
        json.dump(names, f)


if __name__ == "__main__":
    main()
