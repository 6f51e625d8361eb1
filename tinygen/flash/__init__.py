"""Put a built firmware.elf on a real board with the tool its board file names (`tinygen flash`)."""
