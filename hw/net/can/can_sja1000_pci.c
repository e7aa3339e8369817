/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Base of the PCI boards that carry SJA1000 channels.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/qdev-properties.h"
#include "hw/resettable.h"
#include "migration/vmstate.h"
#include "net/can_host.h"
#include "can_bus_prop.h"
#include "can_sja1000_pci.h"

void can_sja1000_pci_update_irq(CanSJA1000PCIState *s)
{
    CanSJA1000PCIClass *k = CAN_SJA1000_PCI_GET_CLASS(s);
    bool enabled = !k->irq_enabled || k->irq_enabled(s);

    pci_set_irq(PCI_DEVICE(s), enabled && s->irq_pending);
}

static uint64_t sja1000_pci_window_read(void *opaque, hwaddr addr,
                                        unsigned size)
{
    SJA1000PCIWindow *w = opaque;
    hwaddr reg = addr >> w->reg_shift;

    /* address lines above the chip's seven are not decoded */
    return can_sja1000_read(w->chip, reg % SJA1000_ADDR_SPACE);
}

static void sja1000_pci_window_write(void *opaque, hwaddr addr, uint64_t value,
                                     unsigned size)
{
    SJA1000PCIWindow *w = opaque;
    hwaddr reg = addr >> w->reg_shift;

    can_sja1000_write(w->chip, reg % SJA1000_ADDR_SPACE, value);
}

static const MemoryRegionOps sja1000_pci_window_ops = {
    .read = sja1000_pci_window_read,
    .write = sja1000_pci_window_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 1,
    },
};

static void sja1000_pci_init_channel_bars(CanSJA1000PCIState *s)
{
    CanSJA1000PCIClass *k = CAN_SJA1000_PCI_GET_CLASS(s);
    unsigned i;

    for (i = 0; i < s->channels; i++) {
        SJA1000PCIWindow *w = &s->window[i];
        g_autofree char *name = g_strdup_printf("%s-channel%u",
                                                object_get_typename(OBJECT(s)),
                                                i);

        w->chip = &s->chip[i];
        w->reg_shift = k->reg_shift;
        memory_region_init_io(&w->io, OBJECT(s), &sja1000_pci_window_ops, w,
                              name, k->channel_bar_size);
        pci_register_bar(PCI_DEVICE(s), i, PCI_BASE_ADDRESS_SPACE_IO, &w->io);
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
    if (k->init_bars) {
        k->init_bars(s);
    } else {
        sja1000_pci_init_channel_bars(s);
    }
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
        .class_size = sizeof(CanSJA1000PCIClass),
        .class_init = sja1000_pci_class_init,
        .interfaces = (InterfaceInfo[]) {
            { INTERFACE_CONVENTIONAL_PCI_DEVICE },
            { }
        },
    },
};

DEFINE_TYPES(sja1000_pci_types)
