"""KetaCare clinical kernel: plain Python rules, no Django, no I/O, no clock.

Every rule cites its source in CLINICAL.md. Inputs and outputs are frozen
dataclasses, doses are Decimal, categories are enums. Invalid input raises
ClinicalError; nothing is clamped.
"""
