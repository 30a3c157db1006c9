from wagtail import hooks

from crm.staff.cms_users import SeatCheckedSetActiveStateBulkAction

# Ordered after Wagtail's own registration, so ours replaces "set_active_state" for users.
hooks.register("register_bulk_action", SeatCheckedSetActiveStateBulkAction, order=100)
