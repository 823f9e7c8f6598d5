"""Return orders in the admin, and what returns add to the OC account, stock row and
outbound order admins."""
