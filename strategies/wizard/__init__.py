"""The guided workshop: one step per active competence area, in catalogue order."""
