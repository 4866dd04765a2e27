"""The growth report (OptoNet WACHSTUMSREPORT): survey rounds, responses, rendered documents.

The models arrive with the growth report issue; the app exists so that its Celery queue
("pdf") and layout are in place from the start.
"""
