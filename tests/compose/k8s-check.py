#!/usr/bin/python3
"""Offline check of deploy/k8s: renders the kustomization and checks every object against the
schema of the Kubernetes API version it names, with no cluster and no download.

  k8s-check.py SOURCE_DIR [--images-tag TAG]

Rendering: `kubectl kustomize` when kubectl is installed; otherwise the two transformations this
kustomization uses (namespace, images), applied here; any other kustomization field is refused,
so the fallback cannot silently render something else than kustomize would.
Schemas: the models of Debian's python3-kubernetes (the API's OpenAPI definitions as classes:
every field name and type, and the required fields): an unknown field (a typo), a wrong type, a
missing required field or an apiVersion/kind pair that API does not have is an error. The
CloudNativePG Cluster is a custom resource whose schema ships with the operator: only its
apiVersion, kind and metadata are checked.
With --images-tag, prints "IMAGE COMMAND" for every container (image retagged to TAG), for
tests/compose/run.sh to check against the images it built.
"""
import re
import shutil
import subprocess
import sys

import yaml

try:
    import kubernetes.client as k8s
except ImportError:
    sys.exit("k8s-check: python3-kubernetes is not installed (./civitas test installs it)")

# apiVersion → the python3-kubernetes class prefix of that group/version.
GROUPS = {
    "v1": "V1",
    "apps/v1": "V1",
    "policy/v1": "V1",
    "networking.k8s.io/v1": "V1",
    "autoscaling/v2": "V2",
    "batch/v1": "V1",
}
CUSTOM = {("postgresql.cnpg.io/v1", "Cluster")}
KUSTOMIZE_FIELDS = {"apiVersion", "kind", "namespace", "resources", "images"}
NAMESPACED_EXCEPT = {"Namespace"}

errors = []


def err(where, msg):
    errors.append(f"{where}: {msg}")


def scalar_ok(value, typ, path):
    if typ == "str":
        # Quantities (cpu: 1) and int-or-string values are numbers in YAML and valid.
        if isinstance(value, (int, float)) and re.search(r"\.(limits|requests|capacity)\.", path + "."):
            return True
        return isinstance(value, str)
    if typ == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if typ == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if typ == "bool":
        return isinstance(value, bool)
    if typ == "object":  # IntOrString, RawExtension: anything JSON
        return True
    return None


def check(value, typ, path):
    m = re.fullmatch(r"list\[(.+)\]", typ)
    if m:
        if not isinstance(value, list):
            return err(path, f"expected a list, got {type(value).__name__}")
        for i, item in enumerate(value):
            check(item, m.group(1), f"{path}[{i}]")
        return None
    m = re.fullmatch(r"dict\((\w+), (.+)\)", typ)
    if m:
        if not isinstance(value, dict):
            return err(path, f"expected a map, got {type(value).__name__}")
        for k, v in value.items():
            check(v, m.group(2), f"{path}.{k}")
        return None
    ok = scalar_ok(value, typ, path)
    if ok is not None:
        if not ok:
            err(path, f"expected {typ}, got {type(value).__name__} {value!r}")
        return None
    cls = getattr(k8s, typ, None)
    if cls is None:
        return err(path, f"no schema for {typ}")
    if not isinstance(value, dict):
        return err(path, f"expected an object ({typ}), got {type(value).__name__}")
    by_json = {j: a for a, j in cls.attribute_map.items()}
    for key, v in value.items():
        if key not in by_json:
            err(f"{path}.{key}", f"unknown field of {typ}")
            continue
        check(v, cls.openapi_types[by_json[key]], f"{path}.{key}")
    # The model's own constructor enforces the required fields and enumerations.
    try:
        cls(**{by_json[k]: v for k, v in value.items() if k in by_json})
    except (ValueError, TypeError) as e:
        err(path, f"{typ}: {e}")
    return None


def render(src):
    kdir = f"{src}/deploy/k8s"
    if shutil.which("kubectl"):
        out = subprocess.run(["kubectl", "kustomize", kdir], capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"k8s-check: kubectl kustomize failed:\n{out.stderr}")
        return list(yaml.safe_load_all(out.stdout)), "kubectl kustomize"
    with open(f"{kdir}/kustomization.yaml", encoding="utf-8") as f:
        kust = yaml.safe_load(f)
    extra = set(kust) - KUSTOMIZE_FIELDS
    if extra:
        sys.exit(f"k8s-check: kustomization.yaml uses {sorted(extra)}: install kubectl to render it")
    images = {i["name"]: i for i in kust.get("images", [])}
    docs = []
    for res in kust["resources"]:
        with open(f"{kdir}/{res}", encoding="utf-8") as f:
            for doc in yaml.safe_load_all(f):
                if not doc:
                    continue
                if kust.get("namespace") and doc["kind"] not in NAMESPACED_EXCEPT:
                    doc.setdefault("metadata", {})["namespace"] = kust["namespace"]
                for c in containers(doc):
                    name = c["image"].rsplit(":", 1)[0] if ":" in c["image"].split("/")[-1] else c["image"]
                    if name in images:
                        i = images[name]
                        c["image"] = f"{i.get('newName', name)}:{i['newTag']}"
                docs.append(doc)
    return docs, "the namespace and images of kustomization.yaml"


def containers(doc):
    spec = doc.get("spec") or {}
    pod = (spec.get("template") or {}).get("spec") or {}
    return list(pod.get("initContainers") or []) + list(pod.get("containers") or [])


def main():
    src = sys.argv[1]
    tag = sys.argv[3] if len(sys.argv) > 3 and sys.argv[2] == "--images-tag" else None
    docs, how = render(src)
    seen = set()
    for doc in docs:
        api, kind = doc.get("apiVersion"), doc.get("kind")
        name = (doc.get("metadata") or {}).get("name")
        where = f"{kind}/{name} ({api})"
        if (kind, name) in seen:
            err(where, "defined twice")
        seen.add((kind, name))
        if not name:
            err(where, "no metadata.name")
        if (api, kind) in CUSTOM:
            check(doc["metadata"], "V1ObjectMeta", f"{where}.metadata")
            continue
        prefix = GROUPS.get(api)
        cls = f"{prefix}{kind}" if prefix else None
        if not cls or not hasattr(k8s, cls):
            err(where, f"{api} has no kind {kind} in the API this check knows")
            continue
        model = getattr(k8s, cls)
        # The schema's apiVersion/kind fields are free strings: the class is chosen by them.
        check(doc, cls, where)
        if "api_version" not in model.attribute_map:
            err(where, "not a top-level object")
    for e in errors:
        print(f"k8s-check: {e}", file=sys.stderr)
    if errors:
        sys.exit(1)
    print(f"k8s-check: {len(docs)} objects rendered by {how}, each valid for its apiVersion", file=sys.stderr)
    if tag:
        for doc in docs:
            for c in containers(doc):
                image = c["image"].rsplit(":", 1)[0]
                cmd = (c.get("command") or []) + (c.get("args") or [])
                print(f"{image}:{tag} {cmd[0] if cmd else '-'}")


main()
