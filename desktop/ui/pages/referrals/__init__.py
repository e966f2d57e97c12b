"""Référencements: the referral log, its dialogs and its section."""
