"""Electronic licences (GB/T 36901–36905): identifiers, what a terminal is offered and what it attaches."""
