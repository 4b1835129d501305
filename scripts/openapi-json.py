#!/usr/bin/python3
# openapi-json.py — turns openapi/<svc>.yaml into one self-contained JSON file per service for
# the /docs/ page. Shared parts referenced in other files (components/common.yaml#/components/...)
# are copied once into the service's own components and referenced from there, so a response
# used by forty operations is sent once, not forty times.
import json
import os
import sys

import yaml


class Bundler:
    def __init__(self, root_spec, root_dir):
        self.spec = root_spec
        self.root_dir = root_dir
        self.files = {}
        self.hoisted = {}  # kind → name → bundled node, added to the components at the end

    def load(self, path):
        if path not in self.files:
            with open(path, encoding="utf-8") as f:
                self.files[path] = yaml.safe_load(f)
        return self.files[path]

    def target(self, path, pointer):
        node = self.load(path)
        for part in [p for p in pointer.split("/") if p]:
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def ref(self, ref, file):
        """A $ref seen in `file` (None: the service's own file) → the ref to use in the bundle."""
        path, _, pointer = ref.partition("#")
        path = os.path.normpath(os.path.join(os.path.dirname(file) if file else self.root_dir, path)) if path else file
        if path is None:
            return {"$ref": ref}  # internal to the service's file already
        parts = [p for p in pointer.split("/") if p]
        if len(parts) == 3 and parts[0] == "components":
            kind, name = parts[1], parts[2]
            own = self.spec.get("components", {}).get(kind, {})
            section = self.hoisted.setdefault(kind, {})
            if name not in section and not (file is None and name in own):
                section[name] = None  # placeholder first: stops cycles
                section[name] = self.walk(self.target(path, pointer), path)
            return {"$ref": f"#/components/{kind}/{name}"}
        return self.walk(self.target(path, pointer), path)  # anything else is inlined

    def walk(self, node, file=None):
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and (file is not None or not ref.startswith("#")):
                return self.ref(ref, file)
            return {k: self.walk(v, file) for k, v in node.items()}
        if isinstance(node, list):
            return [self.walk(v, file) for v in node]
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
        b = Bundler(spec, src)
        bundled = b.walk(spec)
        components = bundled.setdefault("components", {})
        for kind, entries in b.hoisted.items():
            for key, value in entries.items():
                components.setdefault(kind, {}).setdefault(key, value)
        svc = name[:-5]
        names.append(svc)
        with open(os.path.join(out, svc + ".json"), "w", encoding="utf-8") as f:
            json.dump(bundled, f, ensure_ascii=False, separators=(",", ":"))
    order = ["content", "account", "teleservices", "payment", "stats"]
    names.sort(key=lambda n: order.index(n) if n in order else len(order))
    with open(os.path.join(out, "index.json"), "w", encoding="utf-8") as f:
        json.dump(names, f)


if __name__ == "__main__":
    main()
