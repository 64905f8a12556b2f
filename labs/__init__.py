"""Lab catalogue: role-specific nbgrader labs, and the tools trainers use to write and check them.

Public surface: :func:`sandlab.labs.catalogue.load_catalogue`, :func:`sandlab.labs.validate.validate_lab`,
:func:`sandlab.labs.scaffold.new_lab`.
"""
