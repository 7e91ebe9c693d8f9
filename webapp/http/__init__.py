"""What the HTML pages and the REST API share: who may reach a route, paging, sessions.

Below ``web`` and ``api`` and above ``services``, so neither blueprint package imports the
other.
"""
