"""Email to members, sent by the worker, and the club notices shown in the portal."""
