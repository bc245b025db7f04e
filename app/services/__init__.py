"""Keyword-only service functions: the only place that queries or changes the database.

Route handlers (API and pages) stay thin: parse input, call one service, shape output.
Services raise ``app.services.errors.ServiceError`` subclasses; the app turns them into
JSON errors (API) and the pages into messages.
"""
