#!/bin/sh
# aiai: make the server's Hetzner volume mountable by its filesystem label.
#   prepare-data-volume.sh <label>
# Hetzner attaches the volume after the server was created, so wait for it (up to 10 minutes).
# A blank volume gets an ext4 filesystem; an unlabelled ext4 one (Hetzner formatted it) gets the
# label. A volume with another filesystem or a partition table, or several candidate volumes, is
# left alone: fail. The volume is prepared at most once per run; then the script waits for udev's
# by-label link within the same 10 minutes.
set -eu

label=${1:?usage: prepare-data-volume.sh <label>}
# Where udev puts the links. Only the tests set these (to a fake /dev tree); the unit does not.
by_id=${AIAI_DISK_BY_ID_DIR:-/dev/disk/by-id}
by_label=${AIAI_DISK_BY_LABEL_DIR:-/dev/disk/by-label}

prepared=
tries=0
while [ ! -e "$by_label/$label" ]; do
  tries=$((tries + 1))
  if [ "$tries" -gt 300 ]; then
    if [ -n "$prepared" ]; then
      echo "prepare-data-volume: $prepared was prepared but $by_label/$label did not appear within 10 minutes" >&2
    else
      echo "prepare-data-volume: no Hetzner volume attached after 10 minutes" >&2
    fi
    exit 1
  fi
  if [ -z "$prepared" ]; then
    candidates=0
    device=
    for dev in "$by_id"/scsi-0HC_Volume_*; do
      [ -e "$dev" ] || continue
      candidates=$((candidates + 1))
      device=$dev
    done
    if [ "$candidates" -gt 1 ]; then
      echo "prepare-data-volume: $candidates Hetzner volumes attached and none is labelled $label; label one by hand (e2label)" >&2
      exit 1
    fi
    if [ "$candidates" -eq 1 ]; then
      pttype=$(blkid -p -s PTTYPE -o value "$device" || true)
      if [ -n "$pttype" ]; then
        echo "prepare-data-volume: $device holds a $pttype partition table, expected a bare ext4 filesystem or nothing" >&2
        exit 1
      fi
      fstype=$(blkid -p -s TYPE -o value "$device" || true)
      case "$fstype" in
        "") mkfs.ext4 -q -L "$label" "$device" ;;
        ext4) e2label "$device" "$label" ;;
        *)
          echo "prepare-data-volume: $device holds a $fstype filesystem, expected ext4 or none" >&2
          exit 1
          ;;
      esac
      prepared=$device
      # Have udev re-read the device now, so the by-label link appears.
      udevadm trigger --action=change "$device" || true
      udevadm settle --timeout=30 || true
      continue
    fi
  fi
  sleep 2
done
