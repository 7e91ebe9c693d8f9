"""Discord's HTTP interactions: slash commands that report, answer and follow tickets.

No bot connection: Discord POSTs each signed interaction to the app (signatures), which
answers it (interactions) for the member's server or channel (settings), and registers
the commands and edits late answers through Discord's API (api). The commands themselves
are declared once (commands).
"""
