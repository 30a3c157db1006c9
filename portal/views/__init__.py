"""Portal pages: sign-in and account pages (auth), the member area (member) and the staff
pages in the CRM (staff). Thin adapters over portal.services and portal.selectors."""
