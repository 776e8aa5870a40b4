"""Every change around parent access codes, one module per part of the district's process:
``issuing`` (generate and reset), ``redemption`` (checking an entered code, with the limits that
stop guessing), ``linking`` (a right code links an account to a student; Add Child),
``registration`` (a parent registers with a code) and ``restricted_queue`` (a school admin
decides the links of students with a restricted guardian)."""
