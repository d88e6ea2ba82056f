"""The toolkit below every app: refusals, forms, locks, polling, vocabularies, constraints, SMS, scoping, hooks.

It imports no app of ours (only Django and the kernel); apps and the project glue in `ketacare` import it.
"""
