"""Anonymizer: Presidio pipeline for French and English company data.

Public surface: :func:`sandlab.anonymizer.pipeline.run`, :func:`sandlab.anonymizer.suggest.suggest`,
:func:`sandlab.anonymizer.verify.verify_pack`, :class:`sandlab.anonymizer.detect.Detector`.
"""
