# Calendar feeds are deliberately not in the admin: a feed's address is all
# anyone needs to read a person's timetable, so no member of staff is shown
# one. A person resets their own from the account page.
