"""ccomkit: a contact-center management workbench for CCOM (SJ/T 11739-2019) and DCDIER."""

__version__ = "0.1.0"
