"""The application layer: every use case of the kiosk and the counter, one Qt-free function each.

Each function takes the `Terminal` first, runs its own transactions, and
returns plain frozen views (`kiosk.usecases.views`), never ORM rows, so a
window can hold what it gets without the database behind it. The windows
call these through their one job helper (`ui.jobs.run_job`), the CLI calls
the same functions, and so everything a window can do can be done headless.

Modules, in the hall's own words:
  drafts        a citizen's unfinished application: saved as they go, resumed or discarded by staff
  applications  submitting at a kiosk, and taking a walk-in's application at a counter
  materials     importing files, scanning and photographing materials, reading an ID card
  receipts      printing the citizen's receipt and the notices a decision produces
  progress      "where is my application?"
  ratings       the five-level satisfaction rating
  link          what the screens say about the link to the platform and the printers
  staff         logging in, locking and unlocking a counter
  cases         the counter's work list, search, deadlines and one case in full
  review        checking each material and deciding
  reports       the supervisor's hall figures
  queue         the hall queue at a kiosk: pairing with the hall hub, taking a ticket (offline too), asking for help
"""
