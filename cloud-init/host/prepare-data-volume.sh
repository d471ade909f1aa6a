#!/bin/sh
# aiai: make the server's Hetzner volume mountable by its filesystem label.
#   prepare-data-volume.sh <label>
# Hetzner attaches the volume after the server was created, so wait for it (up to 10 minutes).
# A blank volume gets an ext4 filesystem; an unlabelled ext4 one (Hetzner formatted it) gets the
# label. A volume that has another filesystem, or several candidate volumes, is left alone: fail.
set -eu

label=$1
tries=0
while [ ! -e "/dev/disk/by-label/$label" ]; do
  candidates=0
  device=
  for dev in /dev/disk/by-id/scsi-0HC_Volume_*; do
    [ -e "$dev" ] || continue
    candidates=$((candidates + 1))
    device=$dev
  done
  if [ "$candidates" -gt 1 ]; then
    echo "prepare-data-volume: $candidates Hetzner volumes attached and none is labelled $label; label one by hand (e2label)" >&2
    exit 1
  fi
  if [ "$candidates" -eq 1 ]; then
    fstype=$(blkid -p -s TYPE -o value "$device" || true)
    case "$fstype" in
      "") mkfs.ext4 -q -L "$label" "$device" ;;
      ext4) e2label "$device" "$label" ;;
      *)
        echo "prepare-data-volume: $device holds a $fstype filesystem, expected ext4 or none" >&2
        exit 1
        ;;
    esac
    udevadm settle
    continue
  fi
  tries=$((tries + 1))
  if [ "$tries" -ge 300 ]; then
    echo "prepare-data-volume: no Hetzner volume attached after 10 minutes" >&2
    exit 1
  fi
  sleep 2
done
