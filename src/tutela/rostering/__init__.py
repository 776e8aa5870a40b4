"""What Tutela hands to learning systems: which parents and children leave, and by what names."""
