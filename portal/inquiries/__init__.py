"""Inquiries from the portal (anonymous visitors and members): each becomes a Lead."""
