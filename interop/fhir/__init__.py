"""The FHIR R4 face of KetaCare: mappers, the read API, SMART Backend Services, Bulk Data export.

Everything is built as plain dicts by the mappers and validated with fhir.resources (R4B
models, wire-compatible with R4 for the resources served) on the way out (docs/fhir.md).
"""
