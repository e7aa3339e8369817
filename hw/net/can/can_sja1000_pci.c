/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Base of the PCI boards that carry SJA1000 channels.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/log.h"
#include "hw/qdev-properties.h"
#include "hw/resettable.h"
#include "migration/vmstate.h"
#include "net/can_host.h"
#include "can_bus_prop.h"
#include "can_sja1000_pci.h"

void can_sja1000_pci_update_irq(CanSJA1000PCIState *s)
{
    CanSJA1000PCIClass *k = CAN_SJA1000_PCI_GET_CLASS(s);

    pci_set_irq(PCI_DEVICE(s),
                k->intx_level ? k->intx_level(s) : s->irq_pending != 0);
}

void can_sja1000_pci_reset_channels(CanSJA1000PCIState *s)
{
    unsigned i;

    for (i = 0; i < s->channels; i++) {
        device_cold_reset(DEVICE(&s->chip[i]));
    }
}

static uint64_t sja1000_pci_slot_read(void *opaque, hwaddr addr,
                                      unsigned size)
{
    SJA1000PCISlot *slot = opaque;

    if (!slot->chip) {
        return 0;
    }
    /* address lines above the chip's seven are not decoded */
    return can_sja1000_read(slot->chip,
                            (addr >> slot->reg_shift) % SJA1000_ADDR_SPACE);
}

static void sja1000_pci_slot_write(void *opaque, hwaddr addr, uint64_t value,
                                   unsigned size)
{
    SJA1000PCISlot *slot = opaque;

    if (slot->chip) {
        can_sja1000_write(slot->chip,
                          (addr >> slot->reg_shift) % SJA1000_ADDR_SPACE,
                          value);
    }
}

static const MemoryRegionOps sja1000_pci_slot_ops = {
    .read = sja1000_pci_slot_read,
    .write = sja1000_pci_slot_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 1,
    },
};

/* The part of a BAR that holds neither board registers nor channels */
static uint64_t sja1000_pci_unused_read(void *opaque, hwaddr addr,
                                        unsigned size)
{
    return 0;
}

static void sja1000_pci_unused_write(void *opaque, hwaddr addr,
                                     uint64_t value, unsigned size)
{
    qemu_log_mask(LOG_GUEST_ERROR, "%s: write 0x%" PRIx64 " to unused "
                  "offset 0x%" HWADDR_PRIx " ignored\n",
                  object_get_typename(opaque), value, addr);
}

static const MemoryRegionOps sja1000_pci_unused_ops = {
    .read = sja1000_pci_unused_read,
    .write = sja1000_pci_unused_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 4,
    },
};

static void sja1000_pci_init_bars(CanSJA1000PCIState *s)
{
    CanSJA1000PCIClass *k = CAN_SJA1000_PCI_GET_CLASS(s);
    Object *obj = OBJECT(s);
    const char *type = object_get_typename(obj);
    unsigned i, n, slots = 0;

    for (i = 0; i < PCI_ROM_SLOT; i++) {
        const SJA1000PCIBar *bar = &k->bars[i];
        g_autofree char *name = g_strdup_printf("%s-bar%u", type, i);

        if (!bar->size) {
            continue;
        }
        memory_region_init_io(&s->bar[i], obj,
                              bar->ops ? bar->ops : &sja1000_pci_unused_ops,
                              s, name, bar->size);
        for (n = 0; n < bar->slots; n++) {
            SJA1000PCISlot *slot = &s->slot[slots++];
            unsigned ch = bar->first_channel + n;
            g_autofree char *slot_name = g_strdup_printf("%s-channel%u",
                                                         type, ch);

            g_assert(slots <= SJA1000_PCI_MAX_CHANNELS);
            g_assert(bar->offset + (n + 1) * bar->stride <= bar->size);
            slot->chip = ch < s->channels ? &s->chip[ch] : NULL;
            slot->reg_shift = k->reg_shift;
            memory_region_init_io(&slot->io, obj, &sja1000_pci_slot_ops,
                                  slot, slot_name, bar->stride);
            memory_region_add_subregion_overlap(&s->bar[i],
                                                bar->offset + n * bar->stride,
                                                &slot->io, 1);
        }
        pci_register_bar(PCI_DEVICE(s), i, bar->space, &s->bar[i]);
    }
}

static void sja1000_pci_channel_irq(void *opaque, int n, int level)
{
    CanSJA1000PCIState *s = opaque;

    if (level) {
        s->irq_pending |= BIT(n);
    } else {
        s->irq_pending &= ~BIT(n);
    }
    can_sja1000_pci_update_irq(s);
}

static void sja1000_pci_realize(PCIDevice *pdev, Error **errp)
{
    CanSJA1000PCIState *s = CAN_SJA1000_PCI(pdev);
    CanSJA1000PCIClass *k = CAN_SJA1000_PCI_GET_CLASS(s);
    DeviceState *dev = DEVICE(pdev);
    unsigned i;

    if (s->channels >= 32 || !(k->channel_counts & BIT(s->channels))) {
        g_autoptr(GString) counts = g_string_new(NULL);

        for (i = 1; i <= SJA1000_PCI_MAX_CHANNELS; i++) {
            if (k->channel_counts & BIT(i)) {
                bool last = !(k->channel_counts >> (i + 1));

                g_string_append_printf(counts, "%s%u",
                                       !counts->len ? "" : last ? " or " : ", ",
                                       i);
            }
        }
        error_setg(errp, "channels=%u is not possible: this board has %s "
                   "channels", s->channels, counts->str);
        return;
    }
    for (i = s->channels; i < SJA1000_PCI_MAX_CHANNELS; i++) {
        if (s->canbus[i]) {
            error_setg(errp, "canbus%u is set but the board has only %u "
                       "channel%s", i, s->channels,
                       s->channels == 1 ? "" : "s");
            return;
        }
    }

    /*
     * Upstream QEMU's documentation sets host= beside the can-host-socketcan
     * that joins the bus to that interface: the backend does the joining,
     * the board checks that it is there.
     */
    if (s->host_if &&
        (!s->canbus[0] || !can_host_find(s->canbus[0], s->host_if))) {
        error_setg(errp, "host=%s: channel 0's bus is not joined to host "
                   "interface %s; join it with -object can-host-socketcan,"
                   "id=ID,if=%s,canbus=BUS", s->host_if, s->host_if,
                   s->host_if);
        return;
    }

    pci_config_set_interrupt_pin(pdev->config, 1);
    if (k->subsystem_id[s->channels]) {
        pci_set_word(pdev->config + PCI_SUBSYSTEM_ID,
                     k->subsystem_id[s->channels]);
    }
    qdev_init_gpio_in_named(dev, sja1000_pci_channel_irq, "channel-irq",
                            s->channels);
    for (i = 0; i < s->channels; i++) {
        DeviceState *chip;

        object_initialize_child(OBJECT(s), "chip[*]", &s->chip[i],
                                TYPE_CAN_SJA1000);
        chip = DEVICE(&s->chip[i]);
        qdev_prop_set_uint32(chip, "clock", k->clock_hz);
        if (s->canbus[i] &&
            !object_property_set_link(OBJECT(chip), "canbus",
                                      OBJECT(s->canbus[i]), errp)) {
            return;
        }
        if (!qdev_realize(chip, NULL, errp)) {
            return;
        }
        qdev_connect_gpio_out_named(chip, "irq", 0,
                                    qdev_get_gpio_in_named(dev, "channel-irq",
                                                           i));
    }
    sja1000_pci_init_bars(s);
}

static void sja1000_pci_exit(PCIDevice *pdev)
{
    CanSJA1000PCIState *s = CAN_SJA1000_PCI(pdev);
    unsigned i;

    for (i = 0; i < s->channels; i++) {
        object_unparent(OBJECT(&s->chip[i]));
    }
}

/* The chips hang on no bus, so the board takes them through its resets */
static void sja1000_pci_reset_child_foreach(Object *obj,
                                            ResettableChildCallback cb,
                                            void *opaque, ResetType type)
{
    CanSJA1000PCIState *s = CAN_SJA1000_PCI(obj);
    CanSJA1000PCIClass *k = CAN_SJA1000_PCI_GET_CLASS(s);
    unsigned i;

    if (k->parent_child_foreach) {
        k->parent_child_foreach(obj, cb, opaque, type);
    }
    for (i = 0; i < s->channels; i++) {
        cb(OBJECT(&s->chip[i]), opaque, type);
    }
}

const VMStateDescription vmstate_can_sja1000_pci = {
    .name = "can-sja1000-pci",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_PCI_DEVICE(parent_obj, CanSJA1000PCIState),
        VMSTATE_UINT32(irq_pending, CanSJA1000PCIState),
        VMSTATE_STRUCT_VARRAY_UINT32(chip, CanSJA1000PCIState, channels, 0,
                                     vmstate_can_sja1000, CanSJA1000State),
        VMSTATE_END_OF_LIST()
    }
};

static const Property sja1000_pci_properties[] = {
    DEFINE_PROP_CAN_BUS("canbus0", CanSJA1000PCIState, canbus[0]),
    DEFINE_PROP_CAN_BUS("canbus1", CanSJA1000PCIState, canbus[1]),
    DEFINE_PROP_CAN_BUS("canbus2", CanSJA1000PCIState, canbus[2]),
    DEFINE_PROP_CAN_BUS("canbus3", CanSJA1000PCIState, canbus[3]),
    DEFINE_PROP_STRING("host", CanSJA1000PCIState, host_if),
};

static void sja1000_pci_init(Object *obj)
{
    /* upstream QEMU's name for channel 0's bus keeps its command lines */
    object_property_add_alias(obj, "canbus", obj, "canbus0");
}

static void sja1000_pci_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);

    pc->realize = sja1000_pci_realize;
    pc->exit = sja1000_pci_exit;
    pc->class_id = PCI_CLASS_SERIAL_CANBUS;
    CAN_SJA1000_PCI_CLASS(klass)->parent_child_foreach = rc->child_foreach;
    rc->child_foreach = sja1000_pci_reset_child_foreach;
    dc->vmsd = &vmstate_can_sja1000_pci;
    device_class_set_props(dc, sja1000_pci_properties);
    set_bit(DEVICE_CATEGORY_NETWORK, dc->categories);
}

static const TypeInfo sja1000_pci_types[] = {
    {
        .name = TYPE_CAN_SJA1000_PCI,
        .parent = TYPE_PCI_DEVICE,
        .abstract = true,
        .instance_size = sizeof(CanSJA1000PCIState),
        .instance_init = sja1000_pci_init,
        .class_size = sizeof(CanSJA1000PCIClass),
        .class_init = sja1000_pci_class_init,
        .interfaces = (InterfaceInfo[]) {
            { INTERFACE_CONVENTIONAL_PCI_DEVICE },
            { }
        },
    },
};

DEFINE_TYPES(sja1000_pci_types)
