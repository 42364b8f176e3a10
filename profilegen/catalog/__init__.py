"""The catalog: what Microsoft documents about Office for Mac, as data, and its model.

- `model`: preferences, preference domains, impact rules, endpoints, presets, products;
- `sources`: sources, evidence and claims (where each fact comes from, and how sure);
- `values`: plist types, values parsed, compared, formatted and made JSON; versions;
- `facts`: a structured value checked against facts (Apple's schema, a dictionary's structure);
- `settings`: settings from a [settings] table or a --set, checked by their preferences;
- `loading`: payloads/ read, checked as it is read, and cached.

The bottom layer above the shared modules (errors, inputs, names): it imports nothing else of
profilegen, and knows nothing of requests, builds, outputs or profiles read from disk.
"""
